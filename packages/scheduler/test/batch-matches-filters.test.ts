import type { PlacementDemand, PlacementHost } from '@novacron/core';
import { js, native } from '@novacron/native-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../src/create-scheduler.js';
import { defaultFilters } from '../src/default-plugins.js';
import { maxVmsPerHost } from '../src/filters/max-vms-per-host.js';
import { makeHost } from './fleet-fixtures.js';

const zones = fc.constantFrom(undefined, 'a', 'b');
const small = (max: number) => fc.integer({ min: 0, max });

const hostArbitrary = fc.record({
  capacity: fc.record({ vcpus: small(32), memoryMiB: small(128), diskGiB: small(200), gpus: small(4) }),
  allocated: fc.record({ vcpus: small(8), memoryMiB: small(32), diskGiB: small(50), gpus: small(2) }),
  zone: zones,
  ssd: fc.boolean(),
  state: fc.constantFrom('up', 'up', 'up', 'maintenance', 'down' as const),
  vmCount: small(3),
  antiAffinityGroups: fc.subarray(['db', 'cache']),
  affinityGroups: fc.subarray(['web']),
});

const demandArbitrary = fc.record({
  resources: fc.record({
    vcpus: small(8),
    memoryMiB: small(32),
    diskGiB: small(50),
    gpus: fc.constantFrom(0, 0, 0, 1, 2, 4),
  }),
  zone: zones,
  ssd: fc.boolean(),
  antiAffinityGroup: fc.constantFrom(undefined, undefined, undefined, 'db', 'cache', 'queue'),
  affinityGroup: fc.constantFrom(undefined, undefined, undefined, undefined, 'web', 'api'),
});

/** An affinity group's VMs share its anti-affinity group (one per affinity group, as a batch requires). */
const AFFINITY_ANTI: Record<string, string | undefined> = { web: undefined, api: 'queue' };

const mixedFleet = fc.record({
  hosts: fc.array(hostArbitrary, { minLength: 1, maxLength: 8 }),
  demands: fc.array(demandArbitrary, { minLength: 1, maxLength: 24 }),
  objective: fc.constantFrom('pack', 'spread' as const),
});

/** CPU-heavy, memory-heavy and balanced shapes (vCPUs, memory) on roomy hosts: what a batch bundles. */
const SHAPES = [
  [8, 4],
  [4, 2],
  [16, 8],
  [2, 1],
  [1, 16],
  [2, 32],
  [4, 64],
  [4, 16],
] as const;
const shapedFleet = fc.record({
  hosts: fc.array(
    fc.record({
      capacity: fc.record({
        vcpus: fc.integer({ min: 8, max: 64 }),
        memoryMiB: fc.integer({ min: 32, max: 256 }),
        diskGiB: fc.constant(0),
        gpus: fc.constant(0),
      }),
      allocated: fc.record({
        vcpus: small(8),
        memoryMiB: small(32),
        diskGiB: fc.constant(0),
        gpus: fc.constant(0),
      }),
      zone: fc.constant(undefined),
      ssd: fc.boolean(),
      state: fc.constantFrom('up', 'up', 'up', 'maintenance' as const),
      vmCount: small(3),
      antiAffinityGroups: fc.subarray(['db', 'cache']),
      affinityGroups: fc.constant<string[]>([]),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  demands: fc.array(
    fc.record({
      resources: fc
        .constantFrom(...SHAPES)
        .map(([vcpus, memoryMiB]) => ({ vcpus, memoryMiB, diskGiB: 0, gpus: 0 })),
      zone: fc.constant(undefined),
      ssd: fc.constantFrom(false, false, false, true),
      antiAffinityGroup: fc.constantFrom(undefined, 'db', 'cache', 'queue'),
      affinityGroup: fc.constantFrom(undefined, undefined, undefined, undefined, undefined, 'web'),
    }),
    { minLength: 2, maxLength: 40 },
  ),
  objective: fc.constant('pack' as const),
});

/** Random fleets and requests: anything goes, or shapes a batch bundles (half each). */
const fleetArbitrary = fc.oneof(mixedFleet, shapedFleet);

type Fleet = typeof fleetArbitrary extends fc.Arbitrary<infer Value> ? Value : never;

function build(fleet: Fleet): {
  hosts: PlacementHost[];
  demands: PlacementDemand[];
} {
  const hosts = fleet.hosts.map((host, index) =>
    makeHost(`h${index}`, {
      capacity: host.capacity,
      allocated: host.allocated,
      ...(host.zone === undefined ? {} : { zone: host.zone }),
      labels: host.ssd ? { disk: 'ssd' } : {},
      state: host.state,
      vmCount: host.vmCount,
      antiAffinityGroups: host.antiAffinityGroups,
      affinityGroups: host.affinityGroups,
    }),
  );
  const demands = fleet.demands.map((demand, index): PlacementDemand => {
    const antiAffinityGroup =
      demand.affinityGroup === undefined ? demand.antiAffinityGroup : AFFINITY_ANTI[demand.affinityGroup];
    return {
      key: `vm-${index}`,
      resources: demand.resources,
      ...(demand.zone === undefined ? {} : { zone: demand.zone }),
      ...(demand.ssd ? { requiredLabels: { disk: 'ssd' } } : {}),
      ...(antiAffinityGroup === undefined ? {} : { antiAffinityGroup }),
      ...(demand.affinityGroup === undefined ? {} : { affinityGroup: demand.affinityGroup }),
    };
  });
  return { hosts, demands };
}

const packers = [js, native()].filter((backend) => backend !== undefined);

describe.each(packers)('a batch plan and the filters agree (packVectors on the $name backend)', (backend) => {
  const scheduler = createScheduler({
    filters: [...defaultFilters(), maxVmsPerHost({ limit: 8 })],
    packer: backend.packVectors,
  });

  it('every batch assignment passes every filter when replayed one by one in order', () => {
    fc.assert(
      fc.property(fleetArbitrary, (fleet) => {
        const { hosts, demands } = build(fleet);
        const plan = scheduler.place({ hosts, demands, objective: fleet.objective, strategy: 'batch' });
        const check = scheduler.verify(plan, hosts);
        expect(check.violations).toEqual([]);
        expect(check.stale).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('accounts for every VM, and explains each one left out by the filters that rule out every host', () => {
    fc.assert(
      fc.property(fleetArbitrary, (fleet) => {
        const { hosts, demands } = build(fleet);
        const plan = scheduler.place({ hosts, demands, objective: fleet.objective, strategy: 'batch' });
        const keys = [
          ...plan.assignments.map((entry) => entry.demand.key),
          ...plan.unplaced.map((entry) => entry.key),
        ];
        expect(keys.sort()).toEqual(demands.map((demand) => demand.key).sort());
        for (const entry of plan.unplaced) {
          expect(entry.reasons.reduce((sum, reason) => sum + reason.hosts, 0)).toBe(hosts.length);
          expect(entry.reasons.map((reason) => reason.rejection.filter)).not.toContain('packer');
          expect(entry.explanation.startsWith(`${entry.key}`)).toBe(true);
          for (const reason of entry.reasons) expect(entry.explanation).toContain(reason.text);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never places a VM that the one-by-one loop finds infeasible on the fleet as given', () => {
    fc.assert(
      fc.property(fleetArbitrary, (fleet) => {
        const { hosts, demands } = build(fleet);
        const plan = scheduler.place({ hosts, demands, objective: fleet.objective, strategy: 'batch' });
        const placed = new Set(plan.assignments.map((entry) => entry.demand.key));
        for (const demand of demands) {
          const alone = scheduler.place({ hosts, demands: [demand], strategy: 'sequential' });
          if (alone.unplaced.length > 0) expect(placed.has(demand.key)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the one-by-one loop', () => {
  it('passes its own replay', () => {
    const scheduler = createScheduler({ filters: [...defaultFilters(), maxVmsPerHost({ limit: 8 })] });
    fc.assert(
      fc.property(fleetArbitrary, (fleet) => {
        const { hosts, demands } = build(fleet);
        const plan = scheduler.place({ hosts, demands, strategy: 'sequential' });
        expect(scheduler.verify(plan, hosts).violations).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
