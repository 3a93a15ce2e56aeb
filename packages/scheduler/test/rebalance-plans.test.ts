import { type FullResources, NovaCronError, type PlacementHost, RESOURCE_DIMENSIONS } from '@novacron/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../src/create-scheduler.js';
import { defaultFilters } from '../src/default-plugins.js';
import { maxVmsPerHost } from '../src/filters/max-vms-per-host.js';
import type { PlacementFilter } from '../src/placement-filter.js';
import { planConsolidation } from '../src/rebalance/plan-consolidation.js';
import { planDrain } from '../src/rebalance/plan-drain.js';
import { planRebalance } from '../src/rebalance/plan-rebalance.js';
import type { PlannedMigrations, RebalanceVm, VmMetrics } from '../src/rebalance/types.js';
import { makeHost } from './fleet-fixtures.js';

const scheduler = createScheduler({ filters: [...defaultFilters(), maxVmsPerHost({ limit: 6 })] });

interface Cluster {
  hosts: PlacementHost[];
  vms: RebalanceVm[];
  metrics: Record<string, VmMetrics>;
}

/** A random fleet: hosts in two zones, some in maintenance, VMs placed where they fit, some with measured use. */
const clusterArbitrary = fc
  .record({
    hosts: fc.array(
      fc.record({
        zone: fc.constantFrom('a', 'b'),
        state: fc.constantFrom('up', 'up', 'up', 'maintenance' as const),
      }),
      { minLength: 2, maxLength: 7 },
    ),
    vms: fc.array(
      fc.record({
        host: fc.nat(),
        vcpus: fc.integer({ min: 1, max: 8 }),
        memoryGiB: fc.integer({ min: 1, max: 24 }),
        zone: fc.constantFrom(undefined, undefined, 'a', 'b'),
        group: fc.constantFrom(undefined, undefined, 'db', 'cache'),
        busy: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
      }),
      { maxLength: 30 },
    ),
  })
  .map(({ hosts: specs, vms: specs2 }): Cluster => {
    const hosts = specs.map((spec, index) => makeHost(`h${index}`, { zone: spec.zone, state: spec.state }));
    const vms: RebalanceVm[] = [];
    const metrics: Record<string, VmMetrics> = {};
    specs2.forEach((spec, index) => {
      const host = hosts[spec.host % hosts.length]!;
      const memoryMiB = spec.memoryGiB * 1024;
      const groups = host.antiAffinityGroups ?? [];
      if (
        host.allocated.vcpus + spec.vcpus > host.capacity.vcpus ||
        host.allocated.memoryMiB + memoryMiB > host.capacity.memoryMiB ||
        host.vmCount >= 6 ||
        (spec.zone !== undefined && spec.zone !== host.zone) ||
        (spec.group !== undefined && groups.includes(spec.group))
      )
        return;
      const key = `vm${index}`;
      host.allocated.vcpus += spec.vcpus;
      host.allocated.memoryMiB += memoryMiB;
      host.vmCount += 1;
      if (spec.group !== undefined) host.antiAffinityGroups = [...groups, spec.group];
      vms.push({
        ref: { provider: 'sim', id: key },
        hostId: host.id,
        demand: {
          key,
          resources: { vcpus: spec.vcpus, memoryMiB },
          ...(spec.zone === undefined ? {} : { zone: spec.zone }),
          ...(spec.group === undefined ? {} : { antiAffinityGroup: spec.group }),
        },
      });
      if (spec.busy !== null) metrics[key] = { usage: { vcpus: spec.vcpus * spec.busy } };
    });
    return { hosts, vms, metrics };
  });

/** A fleet with hot and nearly empty hosts side by side: plans of many moves, several into one host. */
const busyClusterArbitrary = fc
  .array(
    fc.array(
      fc.record({
        vcpus: fc.integer({ min: 1, max: 4 }),
        memoryGiB: fc.integer({ min: 1, max: 8 }),
        group: fc.constantFrom(undefined, undefined, 'db', 'cache'),
      }),
      { maxLength: 6 },
    ),
    { minLength: 3, maxLength: 10 },
  )
  .map((perHost): Cluster => {
    const vms: RebalanceVm[] = [];
    const hosts = perHost.map((specs, h) => {
      const host = makeHost(`h${h}`);
      const groups: string[] = [];
      specs.forEach((spec, j) => {
        if (spec.group !== undefined && groups.includes(spec.group)) return;
        if (spec.group !== undefined) groups.push(spec.group);
        const key = `vm${h}-${j}`;
        host.allocated.vcpus += spec.vcpus;
        host.allocated.memoryMiB += spec.memoryGiB * 1024;
        host.vmCount += 1;
        vms.push({
          ref: { provider: 'sim', id: key },
          hostId: host.id,
          demand: {
            key,
            resources: { vcpus: spec.vcpus, memoryMiB: spec.memoryGiB * 1024 },
            ...(spec.group === undefined ? {} : { antiAffinityGroup: spec.group }),
          },
        });
      });
      host.antiAffinityGroups = groups;
      return host;
    });
    return { hosts, vms, metrics: {} };
  });

/**
 * Replays `plan` on `cluster` move by move, checking each against the filters the way a placement would (host
 * filters, room of every capacity filter, anti-affinity residents), independently of the planner; returns the
 * host of every VM at the end and the hosts' records.
 */
function replay(
  filters: readonly PlacementFilter[],
  cluster: Cluster,
  plan: PlannedMigrations,
): { hostOf: Map<string, string>; hosts: Map<string, PlacementHost> } {
  const hosts = new Map(
    cluster.hosts.map((host) => [
      host.id,
      { ...host, allocated: { ...host.allocated }, antiAffinityGroups: [...(host.antiAffinityGroups ?? [])] },
    ]),
  );
  const hostOf = new Map(cluster.vms.map((vm) => [vm.ref.id, vm.hostId]));
  const byId = new Map(cluster.vms.map((vm) => [vm.ref.id, vm]));
  for (const move of plan.moves) {
    const vm = byId.get(move.vm.id)!;
    expect(hostOf.get(vm.ref.id)).toBe(move.from);
    expect(move.to).not.toBe(move.from);
    const from = hosts.get(move.from)!;
    const to = hosts.get(move.to)!;
    for (const filter of filters) {
      if (filter.kind === 'host') expect(filter.check(vm.demand, to)).toBeUndefined();
      else if (filter.kind === 'capacity') {
        const room = filter.room(to);
        filter.use(vm.demand).forEach((use, d) => {
          if (use > 0) expect(use).toBeLessThanOrEqual(room[d]!);
        });
      } else if (filter.kind === 'anti-affinity') {
        const group = filter.group(vm.demand);
        if (group !== undefined) expect(filter.residents(to)).not.toContain(group);
      }
    }
    for (const dimension of RESOURCE_DIMENSIONS) {
      const amount = vm.demand.resources[dimension] ?? 0;
      from.allocated[dimension] -= amount;
      to.allocated[dimension] += amount;
    }
    from.vmCount -= 1;
    to.vmCount += 1;
    const group = vm.demand.antiAffinityGroup;
    if (group !== undefined) {
      from.antiAffinityGroups.splice(from.antiAffinityGroups.indexOf(group), 1);
      to.antiAffinityGroups.push(group);
    }
    hostOf.set(vm.ref.id, move.to);
  }
  return { hostOf, hosts };
}

/** Measured load of every host (use where metrics give it, else allocation) as fractions of capacity. */
function loads(cluster: Cluster, hostOf: Map<string, string>): Map<string, FullResources> {
  const result = new Map(
    cluster.hosts.map((host) => [host.id, { vcpus: 0, memoryMiB: 0, diskGiB: 0, gpus: 0 }]),
  );
  for (const vm of cluster.vms) {
    const load = result.get(hostOf.get(vm.ref.id)!)!;
    const host = cluster.hosts.find((candidate) => candidate.id === hostOf.get(vm.ref.id))!;
    for (const dimension of ['vcpus', 'memoryMiB'] as const) {
      const used = cluster.metrics[vm.demand.key]?.usage?.[dimension] ?? vm.demand.resources[dimension];
      load[dimension] += used / host.capacity[dimension];
    }
  }
  return result;
}

describe('planRebalance', () => {
  it('replays move by move within capacity and the filters, and a complete plan leaves no host over', () => {
    fc.assert(
      fc.property(
        fc.oneof(clusterArbitrary, busyClusterArbitrary),
        fc.constantFrom(0.5, 0.7, 0.8),
        (cluster, threshold) => {
          const plan = planRebalance(scheduler, { ...cluster, threshold });
          expect(plan.purpose).toBe('rebalance');
          const { hostOf } = replay(scheduler.filters, cluster, plan);
          const after = loads(cluster, hostOf);
          const hot = [...after].filter(
            ([, load]) => load.vcpus > threshold + 1e-9 || load.memoryMiB > threshold + 1e-9,
          );
          expect(plan.complete).toBe(hot.length === 0);
          expect(plan.shortfalls.map((shortfall) => shortfall.hostId).sort()).toEqual(
            hot.map(([id]) => id).sort(),
          );
          for (const shortfall of plan.shortfalls) expect(shortfall.reason).toMatch(/is at \d+ %/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stays within the filters in any order the executor may finish the moves in', () => {
    fc.assert(
      fc.property(busyClusterArbitrary, fc.infiniteStream(fc.nat()), (cluster, picks) => {
        const plan = planRebalance(scheduler, { ...cluster, threshold: 0.5 });
        // nc.migrations.execute starts a move after the earlier moves of its VM and out of its destination.
        const waitsFor = plan.moves.map((move, index) =>
          plan.moves
            .slice(0, index)
            .flatMap((before, earlier) =>
              before.vm.id === move.vm.id || before.from === move.to ? [earlier] : [],
            ),
        );
        const done = new Set<number>();
        const order = [];
        const draws = picks[Symbol.iterator]();
        while (order.length < plan.moves.length) {
          const ready = plan.moves
            .map((_, index) => index)
            .filter((index) => !done.has(index) && waitsFor[index]!.every((earlier) => done.has(earlier)));
          const next = ready[draws.next().value % ready.length]!;
          done.add(next);
          order.push(plan.moves[next]!);
        }
        replay(scheduler.filters, cluster, { ...plan, moves: order });
      }),
      { numRuns: 200 },
    );
  });

  it('moves the cheapest VM that brings a hot host under, to the coolest host that takes it', () => {
    const hosts = [
      makeHost('hot', { allocated: { vcpus: 15, memoryMiB: 40_960 }, vmCount: 3 }),
      makeHost('warm', { allocated: { vcpus: 8 }, vmCount: 0 }),
      makeHost('cool'),
    ];
    const vm = (key: string, vcpus: number, memoryGiB: number): RebalanceVm => ({
      ref: { provider: 'sim', id: key },
      hostId: 'hot',
      demand: { key, resources: { vcpus, memoryMiB: memoryGiB * 1024 } },
    });
    const cluster = { hosts, vms: [vm('big', 8, 24), vm('small', 4, 8), vm('tiny', 3, 8)] };
    const plan = planRebalance(scheduler, { ...cluster, threshold: 0.8 });
    expect(plan.complete).toBe(true);
    expect(plan.moves).toEqual([
      expect.objectContaining({
        vm: { provider: 'sim', id: 'small' },
        from: 'hot',
        to: 'cool',
        memoryMiB: 8192,
      }),
    ]);
    expect(plan.moves[0]!.reason).toBe('hot is at 94 % vcpus');
  });

  it('says which hosts stay hot and why, and stops at maxMoves', () => {
    const hosts = [
      makeHost('a', { allocated: { vcpus: 16, memoryMiB: 2048 }, vmCount: 2 }),
      makeHost('b', { state: 'maintenance' }),
    ];
    const vms: RebalanceVm[] = ['x', 'y'].map((key) => ({
      ref: { provider: 'sim', id: key },
      hostId: 'a',
      demand: { key, resources: { vcpus: 8, memoryMiB: 1024 } },
    }));
    const plan = planRebalance(scheduler, { hosts, vms, threshold: 0.8 });
    expect(plan.complete).toBe(false);
    expect(plan.moves).toEqual([]);
    expect(plan.shortfalls).toEqual([
      expect.objectContaining({ hostId: 'a', load: { vcpus: 1, memoryMiB: 2048 / 65_536, diskGiB: 0 } }),
    ]);
    expect(plan.shortfalls[0]!.reason).toContain('a is at 100 % vcpus');
    expect(plan.shortfalls[0]!.reason).toContain('1 host is in maintenance');
    const capped = planRebalance(scheduler, {
      hosts: [hosts[0]!, makeHost('c')],
      vms,
      threshold: 0.4,
      maxMoves: 0,
    });
    expect(capped.shortfalls[0]!.reason).toContain('maxMoves (0)');
  });

  it('never moves a VM whose dirty rate keeps pre-copy from converging, nor one worth less than its cost', () => {
    const hosts = [makeHost('a', { allocated: { vcpus: 16, memoryMiB: 8192 }, vmCount: 2 }), makeHost('b')];
    const vms: RebalanceVm[] = [
      {
        ref: { provider: 'sim', id: 'x' },
        hostId: 'a',
        demand: { key: 'x', resources: { vcpus: 8, memoryMiB: 8192 } },
      },
    ];
    const dirty = planRebalance(scheduler, {
      hosts,
      vms,
      threshold: { vcpus: 0.8 },
      metrics: { x: { dirtyRateMiBps: 2000 } },
    });
    expect(dirty.moves).toEqual([]);
    expect(dirty.shortfalls[0]!.reason).toContain('would never converge');
    const costly = planRebalance(scheduler, {
      hosts,
      vms,
      threshold: { vcpus: 0.8 },
      migrationCost: { minBenefitPerGiB: 100 },
    });
    expect(costly.moves).toEqual([]);
    const worth = planRebalance(scheduler, { hosts, vms, threshold: { vcpus: 0.8 } });
    expect(worth.moves).toHaveLength(1);
    expect(worth.stats).toMatchObject({ moves: 1, memoryMiB: 8192, copyMiB: 8192 });
  });

  it('measures load on metrics where given, else on allocation', () => {
    const hosts = [makeHost('a', { allocated: { vcpus: 16, memoryMiB: 16_384 }, vmCount: 2 }), makeHost('b')];
    const vms: RebalanceVm[] = ['x', 'y'].map((key) => ({
      ref: { provider: 'sim', id: key },
      hostId: 'a',
      demand: { key, resources: { vcpus: 8, memoryMiB: 8192 } },
    }));
    const idle = { x: { usage: { vcpus: 1 } }, y: { usage: { vcpus: 2 } } };
    expect(planRebalance(scheduler, { hosts, vms, threshold: 0.8, metrics: idle }).moves).toEqual([]);
    const busy = { x: { usage: { vcpus: 8 } } };
    expect(planRebalance(scheduler, { hosts, vms, threshold: 0.8, metrics: busy }).moves).toHaveLength(1);
  });

  it('keeps a VM of a multi-VM affinity group in place and says so', () => {
    const hosts = [
      makeHost('a', {
        allocated: { vcpus: 16, memoryMiB: 2048 },
        vmCount: 2,
        affinityGroups: ['web', 'web'],
      }),
      makeHost('b'),
    ];
    const vms: RebalanceVm[] = ['x', 'y'].map((key) => ({
      ref: { provider: 'sim', id: key },
      hostId: 'a',
      demand: { key, resources: { vcpus: 8, memoryMiB: 1024 }, affinityGroup: 'web' },
    }));
    const plan = planRebalance(scheduler, { hosts, vms: [vms[0]!], threshold: 0.8 });
    expect(plan.moves).toEqual([]);
    expect(plan.shortfalls[0]!.reason).toContain(
      'x is in affinity group web with 1 other VM, which move together only',
    );
  });

  it('names the field of bad input', () => {
    const base = { hosts: [makeHost('a')], vms: [] };
    const field = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(NovaCronError);
        return (error as NovaCronError).field;
      }
      throw new Error('no error');
    };
    expect(field(() => planRebalance(scheduler, { ...base, threshold: 1.5 }))).toBe('threshold');
    expect(field(() => planRebalance(scheduler, { ...base, threshold: { cpu: 0.8 } as never }))).toBe(
      'threshold.cpu',
    );
    expect(field(() => planRebalance(scheduler, { ...base, threshold: 0.8, maxMoves: -1 }))).toBe('maxMoves');
    expect(
      field(() =>
        planRebalance(scheduler, {
          ...base,
          vms: [
            {
              ref: { provider: 's', id: 'v' },
              hostId: 'nope',
              demand: { key: 'v', resources: { vcpus: 1, memoryMiB: 1 } },
            },
          ],
          threshold: 0.8,
        }),
      ),
    ).toBe('vms[0].hostId');
    expect(field(() => planRebalance(scheduler, { ...base, threshold: 0.8, metrics: { ghost: {} } }))).toBe(
      'metrics.ghost',
    );
    expect(field(() => planDrain(scheduler, { ...base, hostId: 'nope' }))).toBe('hostId');
    expect(field(() => planConsolidation(scheduler, { ...base, minHosts: 1.5 }))).toBe('minHosts');
  });
});

describe('planDrain', () => {
  it('empties the host or explains every VM that cannot move, and replays within the filters', () => {
    fc.assert(
      fc.property(fc.oneof(clusterArbitrary, busyClusterArbitrary), fc.nat(), (cluster, pick) => {
        const hostId = cluster.hosts[pick % cluster.hosts.length]!.id;
        const plan = planDrain(scheduler, { ...cluster, hostId });
        expect(plan.purpose).toBe('drain');
        const { hostOf } = replay(scheduler.filters, cluster, plan);
        const left = cluster.vms.filter((vm) => hostOf.get(vm.ref.id) === hostId).map((vm) => vm.demand.key);
        expect(plan.shortfalls.map((shortfall) => shortfall.vmKey).sort()).toEqual(left.sort());
        expect(plan.complete).toBe(left.length === 0);
        for (const move of plan.moves) expect(move.to).not.toBe(hostId);
      }),
      { numRuns: 300 },
    );
  });

  it('explains a VM no host can take', () => {
    const hosts = [
      makeHost('a', { allocated: { vcpus: 12 }, vmCount: 1 }),
      makeHost('b', { allocated: { vcpus: 8 } }),
    ];
    const vms: RebalanceVm[] = [
      {
        ref: { provider: 'sim', id: 'x' },
        hostId: 'a',
        demand: { key: 'x', resources: { vcpus: 12, memoryMiB: 1024 } },
      },
    ];
    const plan = planDrain(scheduler, { hosts, vms, hostId: 'a' });
    expect(plan.complete).toBe(false);
    expect(plan.shortfalls).toEqual([
      { hostId: 'a', vmKey: 'x', reason: 'x cannot leave a: 1 host lacks 12 free vCPUs' },
    ]);
  });
});

describe('planConsolidation', () => {
  it('empties the least loaded hosts into the fullest, and says why the rest stay on', () => {
    const vm = (key: string, hostId: string, vcpus: number): RebalanceVm => ({
      ref: { provider: 'sim', id: key },
      hostId,
      demand: { key, resources: { vcpus, memoryMiB: 1024 } },
    });
    const hosts = [
      makeHost('a', { allocated: { vcpus: 10, memoryMiB: 1024 }, vmCount: 1 }),
      makeHost('b', { allocated: { vcpus: 2, memoryMiB: 1024 }, vmCount: 1 }),
      makeHost('c', { allocated: { vcpus: 12, memoryMiB: 1024 }, vmCount: 1 }),
    ];
    const vms = [vm('x', 'a', 10), vm('y', 'b', 2), vm('z', 'c', 12)];
    const plan = planConsolidation(scheduler, { hosts, vms, minHosts: 1 });
    expect(plan.moves).toEqual([
      expect.objectContaining({ vm: { provider: 'sim', id: 'y' }, from: 'b', to: 'c' }),
    ]);
    expect(plan.emptiedHosts).toEqual(['b']);
    expect(plan.complete).toBe(false);
    expect(plan.shortfalls.map((shortfall) => shortfall.reason)).toEqual([
      'a stays on: x fits nowhere else (1 host lacks 10 free vCPUs)',
      'c stays on: z fits nowhere else (1 host lacks 12 free vCPUs)',
    ]);
  });

  it('empties whole hosts only, keeps minHosts running, and replays within the filters', () => {
    fc.assert(
      fc.property(clusterArbitrary, fc.integer({ min: 0, max: 4 }), (cluster, minHosts) => {
        const plan = planConsolidation(scheduler, { ...cluster, minHosts });
        const { hostOf, hosts } = replay(scheduler.filters, cluster, plan);
        for (const id of plan.emptiedHosts) expect(hosts.get(id)!.vmCount).toBe(0);
        const running = new Set(hostOf.values());
        const before = new Set(cluster.vms.map((vm) => vm.hostId));
        expect(running.size).toBe(before.size - plan.emptiedHosts.length);
        if (plan.emptiedHosts.length > 0) expect(running.size).toBeGreaterThanOrEqual(minHosts);
        expect(plan.complete).toBe(running.size <= minHosts);
        const after = loads(cluster, hostOf);
        for (const move of plan.moves) expect(after.get(move.to)!.vcpus).toBeLessThanOrEqual(1 + 1e-9);
      }),
      { numRuns: 300 },
    );
  });
});
