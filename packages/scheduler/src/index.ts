/**
 * @packageDocumentation NovaCron's scheduler: VM placement through filters and scorers, with every unplaced VM
 * explained per filter, and batch placement through the vector bin packer of `@novacron/native-metrics` under the
 * same constraints.
 *
 * @example
 * import { createScheduler, formatPlan } from '@novacron/scheduler';
 * const plan = createScheduler().place({ hosts, demands });
 * console.log(formatPlan(plan));
 */
export { createScheduler, type Scheduler, type SchedulerOptions } from './create-scheduler.js';
export { defaultFilters, defaultScorers } from './default-plugins.js';
export { diffPlans, type PlanDiff } from './diff-plans.js';
export { affinity } from './filters/affinity.js';
export { antiAffinity } from './filters/anti-affinity.js';
export { type GpuCountOptions, gpuCount } from './filters/gpu-count.js';
export { hostsPhrase } from './filters/host-phrase.js';
export { type HostStateOptions, hostState } from './filters/host-state.js';
export { type MaxVmsPerHostOptions, maxVmsPerHost } from './filters/max-vms-per-host.js';
export { requiredLabels } from './filters/required-labels.js';
export { type ResourceFitOptions, resourceFit } from './filters/resource-fit.js';
export { zone } from './filters/zone.js';
export { type FormatPlanOptions, formatPlan } from './format-plan.js';
export type { CapacityFilter, GroupFilter, HostFilter, PlacementFilter } from './placement-filter.js';
export type { FleetView, PlacementScorer, ScoreContext } from './placement-scorer.js';
export { type PlacementDecision, PlacementSession } from './placement-session.js';
export { copyMiB } from './rebalance/migration-cost.js';
export { planConsolidation } from './rebalance/plan-consolidation.js';
export { planDrain } from './rebalance/plan-drain.js';
export { planRebalance } from './rebalance/plan-rebalance.js';
export type {
  ConsolidateRequest,
  DrainRequest,
  FleetSnapshot,
  MigrationCostModel,
  PlannedMigrations,
  PlanShortfall,
  PlanStats,
  RebalanceRequest,
  RebalanceVm,
  Threshold,
  VmMetrics,
} from './rebalance/types.js';
export { balancedAllocation } from './scorers/balanced-allocation.js';
export { type CostOptions, cost } from './scorers/cost.js';
export { pack } from './scorers/pack.js';
export { perHostScorer } from './scorers/per-host-scorer.js';
export { preferredLabels } from './scorers/preferred-labels.js';
export type { ScorerOptions } from './scorers/scorer-weight.js';
export { spread } from './scorers/spread.js';
export type { PlanCheck, PlanViolation } from './verify-plan.js';
