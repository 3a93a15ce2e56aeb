import type { PlacementScorer } from '../placement-scorer.js';
import { resourceFractions } from './resource-fractions.js';
import { type ScorerOptions, scorerWeight } from './scorer-weight.js';

/**
 * Balanced allocation (scorer `balanced-allocation`, as Kubernetes'): prefers the host whose resources would be
 * given out in the most even shares after taking the VM, `(1 - standard deviation of the shares) * 100`, so that
 * no host runs out of memory with CPUs to spare.
 *
 * @example
 * balancedAllocation({ weight: 1 });
 */
export function balancedAllocation(options: ScorerOptions = {}): PlacementScorer {
  const weight = scorerWeight('balanced-allocation', options);
  const fractions = new Float64Array(4);
  return {
    name: 'balanced-allocation',
    weight,
    score(context, out) {
      for (let position = 0; position < context.count; position += 1) {
        const count = resourceFractions(context, context.candidates[position]!, fractions);
        let mean = 0;
        for (let k = 0; k < count; k += 1) mean += fractions[k]! / count;
        let variance = 0;
        for (let k = 0; k < count; k += 1) variance += (fractions[k]! - mean) ** 2 / count;
        out[position] = Math.max(0, 100 * (1 - Math.sqrt(variance)));
      }
    },
  };
}
