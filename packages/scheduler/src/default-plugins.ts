import { affinity } from './filters/affinity.js';
import { antiAffinity } from './filters/anti-affinity.js';
import { gpuCount } from './filters/gpu-count.js';
import { hostState } from './filters/host-state.js';
import { requiredLabels } from './filters/required-labels.js';
import { resourceFit } from './filters/resource-fit.js';
import { zone } from './filters/zone.js';
import type { PlacementFilter } from './placement-filter.js';
import type { PlacementScorer } from './placement-scorer.js';
import { balancedAllocation } from './scorers/balanced-allocation.js';
import { pack } from './scorers/pack.js';
import { preferredLabels } from './scorers/preferred-labels.js';

/**
 * The filters a scheduler runs when given none: host state, zone, required labels, GPU count, resource fit
 * (the hosts' own overcommit), anti-affinity and affinity. Maximum VMs per host needs a limit, so it is not here.
 *
 * @example
 * createScheduler({ filters: [...defaultFilters(), maxVmsPerHost({ limit: 100 })] });
 */
export function defaultFilters(): PlacementFilter[] {
  return [hostState(), zone(), requiredLabels(), gpuCount(), resourceFit(), antiAffinity(), affinity()];
}

/**
 * The scorers a scheduler runs when given none: pack, balanced allocation and preferred labels, weight 1 each.
 *
 * @example
 * createScheduler({ scorers: [...defaultScorers(), cost()] });
 */
export function defaultScorers(): PlacementScorer[] {
  return [pack(), balancedAllocation(), preferredLabels()];
}
