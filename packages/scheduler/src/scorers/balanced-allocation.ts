import type { PlacementScorer } from '../placement-scorer.js';
import { type ScorerOptions, scorerWeight } from './scorer-weight.js';

/**
 * Balanced allocation (scorer `balanced-allocation`, as Kubernetes'): prefers the host whose offered resources
 * would be given out in the most even shares after taking the VM, `(1 - standard deviation of the shares) * 100`,
 * so that no host runs out of memory with CPUs to spare.
 *
 * @example
 * balancedAllocation({ weight: 1 });
 */
export function balancedAllocation(options: ScorerOptions = {}): PlacementScorer {
  const weight = scorerWeight('balanced-allocation', options);
  return {
    name: 'balanced-allocation',
    weight,
    score(context, out) {
      const { allocated, allocatable } = context.fleet;
      const { resources, candidates, count } = context;
      for (let position = 0; position < count; position += 1) {
        const base = candidates[position]! * 4;
        let sum = 0;
        let squares = 0;
        let offered = 0;
        for (let k = 0; k < 4; k += 1) {
          const limit = allocatable[base + k]!;
          if (limit > 0) {
            const share = (allocated[base + k]! + resources[k]!) / limit;
            sum += share;
            squares += share * share;
            offered += 1;
          }
        }
        const mean = offered === 0 ? 0 : sum / offered;
        const variance = offered === 0 ? 0 : Math.max(0, squares / offered - mean * mean);
        out[position] = Math.max(0, 100 * (1 - Math.sqrt(variance)));
      }
    },
  };
}
