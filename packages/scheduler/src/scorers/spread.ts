import type { PlacementScorer } from '../placement-scorer.js';
import { type ScorerOptions, scorerWeight } from './scorer-weight.js';

/**
 * Spread (scorer `spread`, Kubernetes' LeastAllocated): prefers the host that would have the most left after
 * taking the VM, the mean free share of its offered resources, times 100. Balances load across hosts.
 *
 * @example
 * spread();
 */
export function spread(options: ScorerOptions = {}): PlacementScorer {
  const weight = scorerWeight('spread', options);
  return {
    name: 'spread',
    weight,
    score(context, out) {
      const { allocated, allocatable } = context.fleet;
      const { resources, candidates, count } = context;
      for (let position = 0; position < count; position += 1) {
        const base = candidates[position]! * 4;
        let sum = 0;
        let offered = 0;
        for (let k = 0; k < 4; k += 1) {
          const limit = allocatable[base + k]!;
          if (limit > 0) {
            sum += Math.max(0, 1 - (allocated[base + k]! + resources[k]!) / limit);
            offered += 1;
          }
        }
        out[position] = offered === 0 ? 0 : (100 * sum) / offered;
      }
    },
  };
}
