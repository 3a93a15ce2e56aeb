import type { PlacementHost } from '@novacron/core';
import type { PlacementScorer } from '../placement-scorer.js';
import { type ScorerOptions, scorerWeight } from './scorer-weight.js';

/** Options of {@link cost}. */
export interface CostOptions extends ScorerOptions {
  /** A host's cost (any unit, lower is better). Default: the number in its `cost` label, 0 without one. */
  costOf?: (host: PlacementHost) => number;
}

function costLabel(host: PlacementHost): number {
  const value = Number(host.labels.cost);
  return Number.isFinite(value) ? value : 0;
}

/**
 * Cost (scorer `cost`): prefers cheaper hosts. Costs are normalised over the candidates: the cheapest scores
 * 100, the dearest 0 (all 100 when they cost the same).
 *
 * @example
 * cost({ costOf: (host) => (host.labels.spot === 'true' ? 1 : 3) });
 */
export function cost(options: CostOptions = {}): PlacementScorer {
  const weight = scorerWeight('cost', options);
  const costOf = options.costOf ?? costLabel;
  return {
    name: 'cost',
    weight,
    score(context, out) {
      let lowest = Number.POSITIVE_INFINITY;
      let highest = Number.NEGATIVE_INFINITY;
      for (let position = 0; position < context.count; position += 1) {
        const value = costOf(context.fleet.hosts[context.candidates[position]!]!);
        out[position] = value;
        lowest = Math.min(lowest, value);
        highest = Math.max(highest, value);
      }
      const range = highest - lowest;
      for (let position = 0; position < context.count; position += 1)
        out[position] = range > 0 ? (100 * (highest - out[position]!)) / range : 100;
    },
  };
}
