/** @packageDocumentation An etcd v3 state store for NovaCron. */
export {};
