import type { PlacementScorer } from '../placement-scorer.js';
import { type ScorerOptions, scorerWeight } from './scorer-weight.js';

/**
 * Pack (scorer `pack`, Kubernetes' MostAllocated): prefers the host that would be fullest after taking the VM,
 * the mean share of its offered resources given out, times 100. Fills hosts before opening new ones.
 *
 * @example
 * pack({ weight: 2 });
 */
export function pack(options: ScorerOptions = {}): PlacementScorer {
  const weight = scorerWeight('pack', options);
  return {
    name: 'pack',
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
            sum += Math.min(1, (allocated[base + k]! + resources[k]!) / limit);
            offered += 1;
          }
        }
        out[position] = offered === 0 ? 0 : (100 * sum) / offered;
      }
    },
  };
}
