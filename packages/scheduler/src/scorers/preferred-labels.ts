import type { PlacementScorer } from '../placement-scorer.js';
import { type ScorerOptions, scorerWeight } from './scorer-weight.js';

/**
 * Preferred labels (scorer `preferred-labels`): prefers hosts with more of the VM's `preferredLabels`, the share
 * it has times 100 (every host scores 100 for a VM without preferences).
 *
 * @example
 * preferredLabels({ weight: 5 });
 */
export function preferredLabels(options: ScorerOptions = {}): PlacementScorer {
  const weight = scorerWeight('preferred-labels', options);
  return {
    name: 'preferred-labels',
    weight,
    score(context, out) {
      const wanted = Object.entries(context.demand.preferredLabels ?? {});
      if (wanted.length === 0) {
        out.fill(100, 0, context.count);
        return;
      }
      for (let position = 0; position < context.count; position += 1) {
        const labels = context.fleet.hosts[context.candidates[position]!]!.labels;
        let matched = 0;
        for (const [label, value] of wanted) if (labels[label] === value) matched += 1;
        out[position] = (100 * matched) / wanted.length;
      }
    },
  };
}
