import type { PlacementHost, PlacementHostSnapshot, PlacementPlan, PlacementRejection } from '@novacron/core';
import { snapshotHost } from './build-plan.js';
import { type CompiledFilters, demandUse } from './compiled-filters.js';
import { FleetState } from './fleet-state.js';
import { invalidArgument } from './invalid-argument.js';
import { checkDemand, checkHosts } from './validate-request.js';

/** An assignment of a plan that no longer passes the filters. */
export interface PlanViolation {
  /** The VM's key. */
  key: string;
  /** The host the plan puts it on. */
  hostId: string;
  /** The first filter that refuses it, or `{ filter: 'fleet', missing: true }` for a host that is gone. */
  rejection: PlacementRejection;
  /** The same as a phrase. */
  text: string;
}

/** What `scheduler.verify` found. */
export interface PlanCheck {
  /** True when no assignment is refused (stale hosts may still have changed in ways that do not matter). */
  ok: boolean;
  /** Ids of the snapshot's hosts whose record changed since the plan (version, state, allocation, VM count) or that are gone. */
  stale: string[];
  /** Assignments refused when the plan is replayed in order on the fleet as it is now. */
  violations: PlanViolation[];
}

function changed(before: PlacementHostSnapshot, now: PlacementHostSnapshot): boolean {
  if (before.version !== undefined && now.version !== undefined) return before.version !== now.version;
  return JSON.stringify(before) !== JSON.stringify(now);
}

/**
 * Re-checks a plan against `hosts` (the fleet as it is now): replays its assignments in order through the
 * filters, each seeing the ones before it, and compares the snapshot with the hosts. An apply step uses it to
 * refuse a stale plan instead of over-placing.
 */
export function verifyPlan(
  filters: CompiledFilters,
  plan: PlacementPlan,
  hosts: readonly PlacementHost[],
): PlanCheck {
  if (plan?.format !== 1 || !Array.isArray(plan.assignments) || !Array.isArray(plan.snapshot))
    throw invalidArgument(
      'plan',
      'verify: plan is not a placement plan (format 1); pass what place() returned, or its JSON parsed.',
    );
  checkHosts(hosts, 'hosts');
  plan.assignments.forEach((assignment, index) => {
    checkDemand(assignment.demand, `plan.assignments[${index}].demand`);
  });
  const state = new FleetState(filters, hosts);
  const indexOf = new Map(hosts.map((host, index) => [host.id, index]));
  const stale = plan.snapshot
    .filter((before) => {
      const index = indexOf.get(before.id);
      return index === undefined || changed(before, snapshotHost(hosts[index]!));
    })
    .map((before) => before.id);
  const violations: PlanViolation[] = [];
  for (const { demand, hostId } of plan.assignments) {
    const host = indexOf.get(hostId);
    if (host === undefined) {
      violations.push({
        key: demand.key,
        hostId,
        rejection: { filter: 'fleet', missing: true },
        text: `host ${hostId} is no longer in the fleet`,
      });
      continue;
    }
    const unit = { members: [demand], demand, use: demandUse(filters, demand) };
    const rejection = state.rejection(unit, host);
    if (rejection === undefined) {
      state.commit(unit, host);
      continue;
    }
    const filter = filters.all.find((candidate) => candidate.name === rejection.filter);
    violations.push({
      key: demand.key,
      hostId,
      rejection,
      text: filter?.describe(rejection, 1) ?? rejection.filter,
    });
  }
  return { ok: violations.length === 0, stale, violations };
}
