import type { PlacementAssignment, PlacementPlan } from '@novacron/core';

/** What changed from one plan to another, per VM key. */
export interface PlanDiff {
  /** VMs `after` places and `before` does not (it left them unplaced or did not have them). */
  added: PlacementAssignment[];
  /** VMs `before` places and `after` does not. */
  removed: PlacementAssignment[];
  /** VMs both place, on different hosts. */
  moved: Array<{ key: string; from: string; to: string }>;
  /** How many VMs both place on the same host. */
  unchanged: number;
}

/**
 * Compares two plans VM by VM (by key), e.g. a plan with the one made after the fleet changed.
 *
 * @example
 * const diff = diffPlans(yesterday, today);
 * for (const { key, from, to } of diff.moved) console.log(`${key}: ${from} -> ${to}`);
 */
export function diffPlans(before: PlacementPlan, after: PlacementPlan): PlanDiff {
  const was = new Map(before.assignments.map((assignment) => [assignment.demand.key, assignment]));
  const is = new Map(after.assignments.map((assignment) => [assignment.demand.key, assignment]));
  const diff: PlanDiff = { added: [], removed: [], moved: [], unchanged: 0 };
  for (const [key, assignment] of is) {
    const previous = was.get(key);
    if (previous === undefined) diff.added.push(assignment);
    else if (previous.hostId !== assignment.hostId)
      diff.moved.push({ key, from: previous.hostId, to: assignment.hostId });
    else diff.unchanged += 1;
  }
  for (const [key, assignment] of was) if (!is.has(key)) diff.removed.push(assignment);
  return diff;
}
