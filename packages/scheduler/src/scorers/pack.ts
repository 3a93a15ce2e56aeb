import type { PlacementScorer } from '../placement-scorer.js';
import { resourceFractions } from './resource-fractions.js';
import { type ScorerOptions, scorerWeight } from './scorer-weight.js';

/**
 * Pack (scorer `pack`, Kubernetes' MostAllocated): prefers the host that would be fullest after taking the VM,
 * the mean share of its resources given out, times 100. Fills hosts before opening new ones.
 *
 * @example
 * pack({ weight: 2 });
 */
export function pack(options: ScorerOptions = {}): PlacementScorer {
  const weight = scorerWeight('pack', options);
  const fractions = new Float64Array(4);
  return {
    name: 'pack',
    weight,
    score(context, out) {
      for (let position = 0; position < context.count; position += 1) {
        const count = resourceFractions(context, context.candidates[position]!, fractions);
        let sum = 0;
        for (let k = 0; k < count; k += 1) sum += Math.min(1, fractions[k]!);
        out[position] = count === 0 ? 0 : (100 * sum) / count;
      }
    },
  };
}
