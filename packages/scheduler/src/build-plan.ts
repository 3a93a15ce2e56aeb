import type {
  PlacementAssignment,
  PlacementDemand,
  PlacementHost,
  PlacementHostSnapshot,
  PlacementObjective,
  PlacementPlan,
  UnplacedDemand,
} from '@novacron/core';

/** What {@link buildPlan} turns into a plan. */
export interface PlanParts {
  strategy: 'sequential' | 'batch';
  objective: PlacementObjective;
  hosts: readonly PlacementHost[];
  demands: readonly PlacementDemand[];
  /** Host index per demand, -1 = unplaced. */
  hostOf: Int32Array;
  unplaced: UnplacedDemand[];
  startedAt: number;
}

/**
 * Snapshot of `host` for a plan: what a later apply compares with the fleet as it is then.
 *
 * @example
 * snapshotHost(host); // { id: 'host-1', state: 'up', allocated: {...}, vmCount: 3 }
 */
export function snapshotHost(host: PlacementHost): PlacementHostSnapshot {
  return {
    id: host.id,
    ...(host.version === undefined ? {} : { version: host.version }),
    state: host.state,
    allocated: { ...host.allocated },
    vmCount: host.vmCount,
  };
}

/**
 * Assembles a {@link PlacementPlan}: assignments in request order, the snapshot of every host assigned to, and
 * the stats.
 */
export function buildPlan(parts: PlanParts): PlacementPlan {
  const assignments: PlacementAssignment[] = [];
  const used = new Set<number>();
  parts.demands.forEach((demand, index) => {
    const host = parts.hostOf[index]!;
    if (host < 0) return;
    assignments.push({ demand, hostId: parts.hosts[host]!.id });
    used.add(host);
  });
  const snapshot = [...used].sort((a, b) => a - b).map((host) => snapshotHost(parts.hosts[host]!));
  return {
    format: 1,
    strategy: parts.strategy,
    objective: parts.objective,
    assignments,
    unplaced: parts.unplaced,
    snapshot,
    stats: {
      hostsUsed: used.size,
      hostsOpened: [...used].filter((host) => parts.hosts[host]!.vmCount === 0).length,
      durationMs: performance.now() - parts.startedAt,
    },
  };
}
