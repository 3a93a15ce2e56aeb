import type {
  PlacementHost,
  PlacementPlan,
  PlacementRejection,
  PlacementRequest,
} from '../model/placement.js';

/** An assignment of a plan that no longer passes the placer's filters on the fleet as it is now. */
export interface PlacerViolation {
  /** The VM's key. */
  key: string;
  /** The host the plan puts it on. */
  hostId: string;
  /** Why, as data (`{ filter: 'resource-fit', resource: 'vcpus', requested: 8 }`). */
  rejection: PlacementRejection;
  /** The same as a phrase ("1 host lacks 8 free vCPUs"). */
  text: string;
}

/** What {@link Placer.verify} finds. */
export interface PlacerCheck {
  /** True when no assignment is refused. */
  ok: boolean;
  /** Ids of the plan's snapshot hosts whose record changed since the plan, or that are gone. */
  stale: string[];
  /** Assignments refused when the plan is replayed in order on the fleet as it is now. */
  violations: PlacerViolation[];
}

/**
 * What the client needs from a placement scheduler: `@novacron/scheduler`'s `createScheduler()` is one. Core
 * defines the interface and the scheduler implements it, so core never imports the scheduler (which depends on
 * core); hand one to `createNovaCron({ placement })` to enable `nc.placement` and `createMany({ placement: 'auto' })`.
 *
 * @example
 * import { createScheduler } from '@novacron/scheduler';
 * const nc = createNovaCron({ providers: { sim }, placement: createScheduler() });
 */
export interface Placer {
  /** Places a request and returns the plan; changes nothing. */
  place(request: PlacementRequest): PlacementPlan;
  /** Re-checks `plan` against `hosts` as they are now (the check an apply runs first). */
  verify(plan: PlacementPlan, hosts: PlacementHost[]): PlacerCheck;
}
