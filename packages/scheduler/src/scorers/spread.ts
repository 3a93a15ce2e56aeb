import type { PlacementScorer } from '../placement-scorer.js';
import { resourceFractions } from './resource-fractions.js';
import { type ScorerOptions, scorerWeight } from './scorer-weight.js';

/**
 * Spread (scorer `spread`, Kubernetes' LeastAllocated): prefers the host that would have the most left after
 * taking the VM, the mean free share of its resources, times 100. Balances load across hosts.
 *
 * @example
 * spread();
 */
export function spread(options: ScorerOptions = {}): PlacementScorer {
  const weight = scorerWeight('spread', options);
  const fractions = new Float64Array(4);
  return {
    name: 'spread',
    weight,
    score(context, out) {
      for (let position = 0; position < context.count; position += 1) {
        const count = resourceFractions(context, context.candidates[position]!, fractions);
        let sum = 0;
        for (let k = 0; k < count; k += 1) sum += Math.max(0, 1 - fractions[k]!);
        out[position] = count === 0 ? 0 : (100 * sum) / count;
      }
    },
  };
}
