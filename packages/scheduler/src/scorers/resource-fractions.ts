import type { ScoreContext } from '../placement-scorer.js';

/**
 * The share of each resource `host` would have given out after taking the VM, for resources the host offers
 * (allocatable > 0), written into `out`; returns how many were written.
 *
 * @example
 * const count = resourceFractions(context, host, fractions); // fractions[0..count) in [0, 1+]
 */
export function resourceFractions(context: ScoreContext, host: number, out: Float64Array): number {
  const { allocated, allocatable } = context.fleet;
  let count = 0;
  for (let k = 0; k < 4; k += 1) {
    const limit = allocatable[host * 4 + k]!;
    if (limit > 0) {
      out[count] = (allocated[host * 4 + k]! + context.resources[k]!) / limit;
      count += 1;
    }
  }
  return count;
}
