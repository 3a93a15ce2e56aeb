import type { PlacementHost, PlacementPlan, PlacementRequest } from '@novacron/core';
import { type PackVectors, packVectors } from '@novacron/native-metrics';
import { placeBatch } from './batch-placement.js';
import { buildPlan } from './build-plan.js';
import { compileFilters } from './compiled-filters.js';
import { defaultFilters, defaultScorers } from './default-plugins.js';
import { FleetState } from './fleet-state.js';
import { invalidArgument } from './invalid-argument.js';
import type { PlacementFilter } from './placement-filter.js';
import type { PlacementScorer } from './placement-scorer.js';
import { PlacementSession } from './placement-session.js';
import { checkHosts, checkRequest } from './validate-request.js';
import { type PlanCheck, verifyPlan } from './verify-plan.js';

/** Options of {@link createScheduler}. */
export interface SchedulerOptions {
  /** The filters, in the order rejections are reported. Default {@link defaultFilters}. */
  filters?: PlacementFilter[];
  /** The scorers of single decisions. Default {@link defaultScorers}. */
  scorers?: PlacementScorer[];
  /** The batch packer. Default `packVectors` of `@novacron/native-metrics` (Rust, or its TypeScript fallback). */
  packer?: PackVectors;
  /**
   * Single decisions (sessions and sequential placement) stop filtering once this many hosts pass and score only
   * those, as kube-scheduler's `percentageOfNodesToScore` does (it scores 10 % of 5,000 nodes). Hosts are searched
   * in fleet order, so a smaller number is faster and favours the hosts listed first. Default: every host.
   */
  hostsToScore?: number;
}

/** A placement scheduler: filters and scorers, and a packer for batches. */
export interface Scheduler {
  /** The filters, in order. */
  readonly filters: readonly PlacementFilter[];
  /** The scorers. */
  readonly scorers: readonly PlacementScorer[];
  /**
   * Places a request and returns the plan; it changes nothing (the hosts are read, never written). One VM (or
   * `strategy: 'sequential'`) goes through the filter/score loop, VM by VM in order; more (or
   * `strategy: 'batch'`) through the packer with the same filters as constraints. Every VM left out is in
   * `unplaced`, with its reasons per filter. Throws a `NovaCronError` (`INVALID_ARGUMENT`) naming the field of a
   * malformed request.
   */
  place(request: PlacementRequest): PlacementPlan;
  /** A session for online decisions against `hosts`, one VM at a time (see {@link PlacementSession}). */
  session(hosts: PlacementHost[]): PlacementSession;
  /**
   * Re-checks `plan` against `hosts` as they are now: which snapshot hosts changed, and which assignments the
   * filters refuse when replayed in order. Apply a plan only when `ok`.
   */
  verify(plan: PlacementPlan, hosts: PlacementHost[]): PlanCheck;
}

function checkScorers(scorers: readonly PlacementScorer[]): void {
  if (!Array.isArray(scorers)) throw new TypeError('createScheduler: scorers must be an array of scorers.');
  const names = new Set<string>();
  scorers.forEach((scorer, index) => {
    const where = `createScheduler: scorers[${index}]`;
    if (typeof scorer?.name !== 'string' || scorer.name === '' || typeof scorer.score !== 'function')
      throw new TypeError(`${where} must be a scorer object with a non-empty name and a score function.`);
    if (names.has(scorer.name))
      throw new TypeError(`${where}: the name '${scorer.name}' is used twice; scorer names must be unique.`);
    names.add(scorer.name);
    if (!(Number.isFinite(scorer.weight) && scorer.weight > 0))
      throw new TypeError(
        `${where} ('${scorer.name}') has weight ${scorer.weight}; use a finite number > 0.`,
      );
  });
}

/**
 * Creates a scheduler in the spirit of the Kubernetes scheduler framework: filters say which hosts can take a
 * VM (and why the others cannot), scorers rank the rest, and batches go to a vector bin packer that applies the
 * same filters as constraints.
 *
 * @example
 * const scheduler = createScheduler({
 *   filters: [...defaultFilters(), maxVmsPerHost({ limit: 50 })],
 *   scorers: [pack(), balancedAllocation()],
 * });
 * const plan = scheduler.place({ hosts, demands });
 * console.log(formatPlan(plan));
 */
export function createScheduler(options: SchedulerOptions = {}): Scheduler {
  const filters = compileFilters(options.filters ?? defaultFilters());
  const scorers = options.scorers ?? defaultScorers();
  checkScorers(scorers);
  const packer = options.packer ?? packVectors;
  const hostsToScore = options.hostsToScore ?? Number.POSITIVE_INFINITY;
  if (!(hostsToScore >= 1 && (Number.isInteger(hostsToScore) || hostsToScore === Number.POSITIVE_INFINITY)))
    throw invalidArgument(
      'hostsToScore',
      `createScheduler: hostsToScore is ${String(options.hostsToScore)}; use an integer >= 1, or leave it out to score every host.`,
    );
  if (typeof packer !== 'function')
    throw new TypeError('createScheduler: packer must be a packVectors function.');
  return {
    filters: filters.all,
    scorers,
    place(request) {
      const startedAt = performance.now();
      checkRequest(request);
      const { hosts, demands } = request;
      const objective = request.objective ?? 'pack';
      const strategy = request.strategy ?? 'auto';
      const sequential = strategy === 'sequential' || (strategy === 'auto' && demands.length <= 1);
      if (sequential) {
        const session = new PlacementSession(filters, scorers, hosts, hostsToScore);
        const indexOf = new Map(hosts.map((host, index) => [host.id, index]));
        const hostOf = new Int32Array(demands.length).fill(-1);
        const unplaced = [];
        for (const [index, demand] of demands.entries()) {
          const decision = session.place(demand);
          if (decision.placed) hostOf[index] = indexOf.get(decision.hostId)!;
          else unplaced.push(decision.unplaced);
        }
        return buildPlan({ strategy: 'sequential', objective, hosts, demands, hostOf, unplaced, startedAt });
      }
      const state = new FleetState(filters, hosts);
      const outcome = placeBatch(filters, packer, state, demands, {
        objective,
        effort: request.effort ?? 'fast',
      });
      return buildPlan({ strategy: 'batch', objective, hosts, demands, ...outcome, startedAt });
    },
    session(hosts) {
      checkHosts(hosts, 'hosts');
      return new PlacementSession(filters, scorers, hosts, hostsToScore);
    },
    verify: (plan, hosts) => verifyPlan(filters, plan, hosts),
  };
}
