import { NovaCronError, type PlacementDemand, type PlacementPlan } from '@novacron/core';
import { js, type PackInput } from '@novacron/native-metrics';
import { describe, expect, it } from 'vitest';
import { makeHost } from '../test/fleet-fixtures.js';
import { createScheduler } from './create-scheduler.js';
import { defaultFilters } from './default-plugins.js';
import { antiAffinity } from './filters/anti-affinity.js';
import { maxVmsPerHost } from './filters/max-vms-per-host.js';
import { resourceFit } from './filters/resource-fit.js';
import { pack } from './scorers/pack.js';

const vm = (key: string, extra: Partial<PlacementDemand> = {}): PlacementDemand => ({
  key,
  resources: { vcpus: 2, memoryMiB: 4096 },
  ...extra,
});

const hostOf = (plan: PlacementPlan, key: string) =>
  plan.assignments.find((assignment) => assignment.demand.key === key)?.hostId;

describe('createScheduler().place', () => {
  const gpuFleet = () => [
    ...Array.from({ length: 12 }, (_, index) => makeHost(`small-${index}`, { capacity: { gpus: 2 } })),
    ...Array.from({ length: 3 }, (_, index) =>
      makeHost(`down-${index}`, { state: 'maintenance', capacity: { gpus: 8 } }),
    ),
    makeHost('big-1', { capacity: { gpus: 8 }, antiAffinityGroups: ['db'] }),
    makeHost('big-2', { capacity: { gpus: 8 }, antiAffinityGroups: ['db'] }),
  ];

  it.each(['batch', 'sequential'] as const)(
    'explains an unplaced VM per filter, as data and as a sentence (%s)',
    (strategy) => {
      const plan = createScheduler().place({
        hosts: gpuFleet(),
        demands: [
          vm('db-3', { resources: { vcpus: 2, memoryMiB: 4096, gpus: 4 }, antiAffinityGroup: 'db' }),
          vm('web-1'),
        ],
        strategy,
      });
      expect(plan.unplaced).toHaveLength(1);
      const [entry] = plan.unplaced;
      expect(entry!.reasons.map(({ rejection, hosts }) => ({ rejection, hosts }))).toEqual([
        { rejection: { filter: 'gpu-count', requested: 4 }, hosts: 12 },
        { rejection: { filter: 'host-state', state: 'maintenance' }, hosts: 3 },
        { rejection: { filter: 'anti-affinity', group: 'db' }, hosts: 2 },
      ]);
      expect(entry!.explanation).toBe(
        'db-3: 12 hosts have fewer than 4 GPUs, 3 hosts are in maintenance, anti-affinity group db excludes 2 hosts',
      );
      expect(hostOf(plan, 'web-1')).toBeDefined();
    },
  );

  it('names the resource a full fleet lacks', () => {
    const hosts = [
      makeHost('a', { allocated: { vcpus: 15 } }),
      makeHost('b', { allocated: { memoryMiB: 65_000 } }),
    ];
    const plan = createScheduler().place({ hosts, demands: [vm('x')] });
    expect(plan.unplaced[0]!.reasons.map((reason) => reason.text)).toEqual([
      '1 host lacks 2 free vCPUs',
      '1 host lacks 4096 free MiB of memory',
    ]);
  });

  it('places one VM through the filter/score loop and more through the packer', () => {
    const hosts = [makeHost('a'), makeHost('b')];
    expect(createScheduler().place({ hosts, demands: [vm('x')] }).strategy).toBe('sequential');
    expect(createScheduler().place({ hosts, demands: [vm('x'), vm('y')] }).strategy).toBe('batch');
    expect(
      createScheduler().place({ hosts, demands: [vm('x'), vm('y')], strategy: 'sequential' }).strategy,
    ).toBe('sequential');
  });

  it('hands the packer the filters as dimensions, groups and eligibility classes', () => {
    let seen: PackInput | undefined;
    const scheduler = createScheduler({
      filters: [...defaultFilters(), maxVmsPerHost({ limit: 10 })],
      packer: (input) => {
        seen = input;
        return js.packVectors(input);
      },
    });
    const hosts = [
      makeHost('a', { zone: 'z1', vmCount: 4 }),
      makeHost('b', { zone: 'z2', antiAffinityGroups: ['db'] }),
    ];
    scheduler.place({
      hosts,
      demands: [
        vm('x', { zone: 'z1' }),
        vm('y', { antiAffinityGroup: 'db' }),
        vm('z', { antiAffinityGroup: 'db' }),
      ],
    });
    expect(seen!.dims).toBe(5);
    expect([...seen!.binCapacities]).toEqual([16, 65_536, 1024, 0, 6, 16, 65_536, 1024, 0, 10]);
    expect([...seen!.items.subarray(0, 5)]).toEqual([2, 4096, 0, 0, 1]);
    expect([...seen!.groups!].sort()).toEqual([-1, 0, 0]);
    const { itemClass, allowed } = seen!.eligible!;
    const rowOf = (item: number) => [...allowed.subarray(itemClass[item]! * 2, itemClass[item]! * 2 + 2)];
    const zoned = seen!.groups!.indexOf(-1);
    const grouped = seen!.groups!.indexOf(0);
    expect(rowOf(zoned)).toEqual([1, 0]); // zone z1: host a only
    expect(rowOf(grouped)).toEqual([1, 0]); // host b already runs group db
  });

  it('caps VMs per host in both paths', () => {
    const scheduler = createScheduler({ filters: [resourceFit(), maxVmsPerHost({ limit: 3 })] });
    const hosts = [makeHost('a', { vmCount: 1 }), makeHost('b')];
    const demands = Array.from({ length: 6 }, (_, index) =>
      vm(`vm-${index}`, { resources: { vcpus: 1, memoryMiB: 1 } }),
    );
    for (const strategy of ['batch', 'sequential'] as const) {
      const plan = scheduler.place({ hosts, demands, strategy });
      expect(plan.assignments.filter((assignment) => assignment.hostId === 'a')).toHaveLength(2);
      expect(plan.assignments.filter((assignment) => assignment.hostId === 'b')).toHaveLength(3);
      expect(plan.unplaced.map((entry) => entry.explanation)).toEqual(['vm-5: 2 hosts already run 3 VMs']);
    }
  });

  it('applies overcommit ratios per resource', () => {
    const hosts = [makeHost('a', { capacity: { vcpus: 4 } })];
    const demands = Array.from({ length: 8 }, (_, index) =>
      vm(`vm-${index}`, { resources: { vcpus: 2, memoryMiB: 1 } }),
    );
    expect(createScheduler({ filters: [resourceFit()] }).place({ hosts, demands }).assignments).toHaveLength(
      2,
    );
    const overcommitted = createScheduler({ filters: [resourceFit({ overcommit: { vcpus: 4 } })] });
    expect(overcommitted.place({ hosts, demands }).assignments).toHaveLength(8);
  });

  it('keeps an affinity group on one host, the host that already runs it when there is one', () => {
    const hosts = [makeHost('a'), makeHost('b', { affinityGroups: ['web'] }), makeHost('c')];
    const demands = [
      vm('web-1', { affinityGroup: 'web' }),
      vm('api-1', { affinityGroup: 'api' }),
      vm('web-2', { affinityGroup: 'web' }),
      vm('api-2', { affinityGroup: 'api' }),
    ];
    for (const strategy of ['batch', 'sequential'] as const) {
      const plan = createScheduler().place({ hosts, demands, strategy });
      expect(hostOf(plan, 'web-1')).toBe('b');
      expect(hostOf(plan, 'web-2')).toBe('b');
      expect(hostOf(plan, 'api-1')).toBe(hostOf(plan, 'api-2'));
    }
  });

  it('places an affinity group whole or not at all in a batch, and says why', () => {
    const hosts = [makeHost('a', { capacity: { vcpus: 4 } }), makeHost('b', { capacity: { vcpus: 4 } })];
    const demands = [1, 2, 3].map((index) => vm(`web-${index}`, { affinityGroup: 'web' }));
    const plan = createScheduler().place({ hosts, demands });
    expect(plan.assignments).toEqual([]);
    expect(plan.unplaced[0]!.explanation).toBe(
      'web-1 (affinity group web, 3 VMs on one host): 2 hosts lack 6 free vCPUs',
    );
  });

  it('refuses in a batch an affinity group that holds two VMs of one anti-affinity group', () => {
    const demands = [
      vm('a', { affinityGroup: 'g', antiAffinityGroup: 'db' }),
      vm('b', { affinityGroup: 'g', antiAffinityGroup: 'db' }),
    ];
    const plan = createScheduler().place({ hosts: [makeHost('h')], demands });
    expect(plan.unplaced.map((entry) => entry.reasons[0]!.rejection)).toEqual([
      { filter: 'affinity', group: 'g', antiAffinityGroup: 'db' },
      { filter: 'affinity', group: 'g', antiAffinityGroup: 'db' },
    ]);
  });

  it('says which field is wrong in a malformed request', () => {
    const scheduler = createScheduler();
    const hosts = [makeHost('a')];
    const cases: Array<[unknown, string]> = [
      [
        { hosts, demands: [vm('a', { resources: { vcpus: -1, memoryMiB: 1 } })] },
        'demands[0].resources.vcpus',
      ],
      [{ hosts, demands: [vm('a'), vm('a')] }, 'demands[1].key'],
      [{ hosts: [makeHost('a'), makeHost('a')], demands: [] }, 'hosts[1].id'],
      [{ hosts, demands: [], objective: 'fast' }, 'objective'],
      [
        {
          hosts,
          demands: [
            vm('a', { affinityGroup: 'g' }),
            vm('b', { affinityGroup: 'g', antiAffinityGroup: 'db' }),
            vm('c', { affinityGroup: 'g', antiAffinityGroup: 'cache' }),
          ],
        },
        'demands[2].antiAffinityGroup',
      ],
    ];
    for (const [request, field] of cases) {
      const error = (() => {
        try {
          scheduler.place(request as never);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(NovaCronError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field });
      expect((error as Error).message).toContain(field);
    }
  });

  it('refuses plugin lists that cannot work with a TypeError', () => {
    expect(() => createScheduler({ filters: [resourceFit(), resourceFit()] })).toThrow(/used twice/);
    expect(() =>
      createScheduler({ filters: [antiAffinity(), { ...antiAffinity(), name: 'other' }] }),
    ).toThrow(/one anti-affinity filter/);
    expect(() => createScheduler({ scorers: [{ name: 'x', weight: 0, score: () => {} }] })).toThrow(
      TypeError,
    );
  });

  it('retries alone the VMs of a bundle that found no host', () => {
    // The big host (in maintenance) sets the scale, so a CPU-heavy and a memory-heavy VM are bundled (5 vCPUs,
    // 5 GiB); no small host takes the bundle, each takes one of its VMs.
    const hosts = [
      makeHost('big', { capacity: { vcpus: 16, memoryMiB: 16_384 }, state: 'maintenance' }),
      makeHost('small-1', { capacity: { vcpus: 4, memoryMiB: 4096 } }),
      makeHost('small-2', { capacity: { vcpus: 4, memoryMiB: 4096 } }),
    ];
    const demands = [
      vm('cpu', { resources: { vcpus: 4, memoryMiB: 1024 } }),
      vm('memory', { resources: { vcpus: 1, memoryMiB: 4096 } }),
    ];
    let calls = 0;
    const scheduler = createScheduler({
      packer: (input) => {
        calls += 1;
        return js.packVectors(input);
      },
    });
    const plan = scheduler.place({ hosts, demands });
    expect(calls).toBe(2);
    expect(plan.unplaced).toEqual([]);
    expect(new Set(plan.assignments.map((entry) => entry.hostId))).toEqual(new Set(['small-1', 'small-2']));
  });

  it('says so when the fleet has no hosts, in both paths', () => {
    for (const strategy of ['batch', 'sequential'] as const) {
      const plan = createScheduler().place({ hosts: [], demands: [vm('x'), vm('y')], strategy });
      expect(plan.unplaced.map((entry) => entry.explanation)).toEqual([
        'x: the fleet has no hosts',
        'y: the fleet has no hosts',
      ]);
    }
  });

  it('spreads a batch over more hosts than it packs', () => {
    const hosts = Array.from({ length: 4 }, (_, index) => makeHost(`h${index}`));
    const demands = Array.from({ length: 4 }, (_, index) => vm(`vm-${index}`));
    const scheduler = createScheduler();
    expect(scheduler.place({ hosts, demands, objective: 'pack' }).stats.hostsUsed).toBe(1);
    expect(scheduler.place({ hosts, demands, objective: 'spread' }).stats.hostsUsed).toBe(4);
  });
});

describe('hostsToScore', () => {
  it('scores only the first hosts that pass, in fleet order', () => {
    const hosts = [
      makeHost('down', { state: 'down' }),
      makeHost('empty'),
      makeHost('emptier'),
      makeHost('full', { allocated: { vcpus: 12 } }),
    ];
    const pick = (hostsToScore?: number) =>
      createScheduler(
        hostsToScore === undefined ? { scorers: [pack()] } : { scorers: [pack()], hostsToScore },
      ).place({ hosts, demands: [vm('x')] }).assignments[0]!.hostId;
    expect(pick()).toBe('full');
    expect(pick(1)).toBe('empty');
    expect(pick(3)).toBe('full');
  });

  it('must be an integer >= 1', () => {
    expect(() => createScheduler({ hostsToScore: 0 })).toThrow(/hostsToScore is 0/);
    expect(() => createScheduler({ hostsToScore: 2.5 })).toThrow(NovaCronError);
  });
});

describe('scheduler.session', () => {
  it('sees its earlier decisions', () => {
    const session = createScheduler().session([
      makeHost('a', { capacity: { vcpus: 2 } }),
      makeHost('b', { capacity: { vcpus: 2 } }),
    ]);
    const first = session.place(vm('x'));
    const second = session.place(vm('y'));
    const third = session.place(vm('z'));
    expect(first.placed && second.placed && first.hostId !== second.hostId).toBe(true);
    expect(third).toMatchObject({ placed: false, unplaced: { explanation: 'z: 2 hosts lack 2 free vCPUs' } });
    expect([...session.fleet.vmCount]).toEqual([1, 1]);
  });
});
