/** @packageDocumentation NovaCron's scheduler: placement and rebalancing. */
export {};
