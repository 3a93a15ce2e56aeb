/** @packageDocumentation A controller kit for NovaCron. */
export {};
