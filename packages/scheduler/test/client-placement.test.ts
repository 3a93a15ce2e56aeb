// nc.placement.plan / apply and createMany({ placement: 'auto' }) on real driver-sim fleets, with the scheduler as
// the client's placer; two clients sharing one store and one simulated cloud race to apply.
import { createNovaCron, MemoryStateStore, PLACEMENT_TAGS, type StateStore } from '@novacron/core';
import { createSimDriver, SimCloud, type SimHostSpec } from '@novacron/driver-sim';
import { describe, expect, it } from 'vitest';
import { createScheduler, formatPlan } from '../src/index.js';

/** Hosts of 16 vCPUs and 64 GiB, no overcommit: four 4-vCPU VMs fill one. */
function smallHosts(count: number): SimHostSpec[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `h-${index + 1}`,
    zone: 'a',
    capacity: { vcpus: 16, memoryMiB: 65_536 },
    overcommit: {},
  }));
}

function client(cloud: SimCloud, store: StateStore = new MemoryStateStore()) {
  return createNovaCron({
    providers: { sim: createSimDriver({ cloud }) },
    placement: createScheduler(),
    store,
  });
}

const vm = (name: string, vcpus = 4) => ({ name, resources: { vcpus, memoryMiB: 4096 } });

describe('nc.placement', () => {
  it('plans from the fleet (sizes, groups of the VMs already there) and applies on the planned hosts', async () => {
    const cloud = new SimCloud({ seed: 1, hosts: smallHosts(3), transitionDelayMs: 0 });
    const nc = client(cloud);
    await nc.vms.create({
      provider: 'sim',
      name: 'db-0',
      resources: { vcpus: 1, memoryMiB: 1024 },
      location: { hostId: 'h-1' },
      tags: { [PLACEMENT_TAGS.antiAffinityGroup]: 'db' },
    });
    const plan = await nc.placement.plan({
      provider: 'sim',
      vms: [
        { name: 'db-1', size: 'sim.large', antiAffinityGroup: 'db' },
        { name: 'db-2', size: 'sim.large', antiAffinityGroup: 'db' },
        { ...vm('web-1', 2), image: 'debian-12', tags: { role: 'web' } },
      ],
    });
    expect(plan.provider).toBe('sim');
    expect(plan.unplaced).toEqual([]);
    const dbHosts = plan.assignments.filter(({ demand }) => demand.key.startsWith('db')).map((a) => a.hostId);
    expect(dbHosts).not.toContain('h-1');
    expect(new Set(dbHosts).size).toBe(2);
    expect(formatPlan(plan)).toContain('db-1');
    const parsed = JSON.parse(JSON.stringify(plan));

    const result = await nc.placement.apply(parsed);
    expect(result.failed).toEqual([]);
    expect(result.created.map(({ key, hostId, vm: made }) => [key, hostId, made.location.hostId])).toEqual(
      plan.assignments.map(({ demand, hostId }) => [demand.key, hostId, hostId]),
    );
    const web = result.created.find(({ key }) => key === 'web-1')!.vm;
    expect(web.tags).toMatchObject({ role: 'web', [PLACEMENT_TAGS.plan]: result.planId });
    const db1 = result.created.find(({ key }) => key === 'db-1')!.vm;
    expect(db1.tags[PLACEMENT_TAGS.antiAffinityGroup]).toBe('db');
    expect(db1.size).toBe('sim.large');
  });

  it('applying the same plan again creates nothing more', async () => {
    const cloud = new SimCloud({ seed: 2, hosts: smallHosts(2), transitionDelayMs: 0 });
    const nc = client(cloud);
    const plan = await nc.placement.plan({ provider: 'sim', vms: [vm('a'), vm('b'), vm('c')] });
    const first = await nc.placement.apply(plan);
    const again = await nc.placement.apply(JSON.parse(JSON.stringify(plan)));
    expect(first.created).toHaveLength(3);
    expect(again.created).toEqual([]);
    expect(again.existing.map(({ vm: made }) => made.ref)).toEqual(
      first.created.map(({ vm: made }) => made.ref),
    );
    expect(cloud.control.counts().vms).toBe(3);
  });

  it('refuses a stale plan, naming the host, and creates nothing', async () => {
    const cloud = new SimCloud({ seed: 3, hosts: smallHosts(2), transitionDelayMs: 0 });
    const nc = client(cloud);
    const plan = await nc.placement.plan({ provider: 'sim', vms: [vm('a'), vm('b')] });
    const host = plan.assignments[0]!.hostId;
    expect(plan.assignments.every(({ hostId }) => hostId === host)).toBe(true);
    await nc.vms.create({
      provider: 'sim',
      ...vm('squatter', 12),
      location: { hostId: host },
    });
    const refused = nc.placement.apply(plan);
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT', provider: 'sim' });
    await expect(refused).rejects.toThrow(
      new RegExp(`host ${host} can no longer take b .*Nothing was created`),
    );
    expect(cloud.control.counts().vms).toBe(1);
  });

  it('two clients sharing a store and a fleet never over-commit a host: one wins, the other is refused', async () => {
    const cloud = new SimCloud({
      seed: 4,
      hosts: smallHosts(2),
      transitionDelayMs: 0,
      faults: { create: { latencyMs: 5 } },
    });
    const store = new MemoryStateStore();
    const [one, two] = [client(cloud, store), client(cloud, store)];
    // Both plan on the same empty fleet: each puts its three 4-vCPU VMs on h-1, which takes four.
    const plans = await Promise.all([
      one.placement.plan({ provider: 'sim', vms: [vm('one-1'), vm('one-2'), vm('one-3')] }),
      two.placement.plan({ provider: 'sim', vms: [vm('two-1'), vm('two-2'), vm('two-3')] }),
    ]);
    expect(plans.flatMap((plan) => plan.assignments.map(({ hostId }) => hostId))).toEqual(
      Array(6).fill('h-1'),
    );
    const outcomes = await Promise.allSettled([one.placement.apply(plans[0]), two.placement.apply(plans[1])]);
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
    expect(String((lost[0] as PromiseRejectedResult).reason.message)).toMatch(/host h-1 can no longer take/);
    const hosts = cloud.control.snapshot().hosts;
    expect(hosts.find((host) => host.id === 'h-1')!.allocated.vcpus).toBe(12);
    expect(cloud.control.counts().vms).toBe(3);
  });

  it("createMany with placement 'auto' in two clients at once: the loser re-plans, nothing over-commits", async () => {
    const cloud = new SimCloud({
      seed: 5,
      hosts: smallHosts(3),
      transitionDelayMs: 0,
      faults: { create: { latencyMs: 5 } },
    });
    const store = new MemoryStateStore();
    const [one, two] = [client(cloud, store), client(cloud, store)];
    const requests = (prefix: string) =>
      Array.from({ length: 5 }, (_, index) => ({ provider: 'sim' as const, ...vm(`${prefix}-${index}`) }));
    const [a, b] = await Promise.all([
      one.vms.createMany(requests('one'), { placement: 'auto' }),
      two.vms.createMany(requests('two'), { placement: 'auto' }),
    ]);
    expect(a.failed).toEqual([]);
    expect(b.failed).toEqual([]);
    expect(a.created.map(({ index }) => index)).toEqual([0, 1, 2, 3, 4]);
    expect(b.created).toHaveLength(5);
    for (const host of cloud.control.snapshot().hosts) expect(host.allocated.vcpus).toBeLessThanOrEqual(16);
    expect(cloud.control.counts().vms).toBe(10);
  });

  it("createMany with placement 'auto' explains the VMs no host can take", async () => {
    const cloud = new SimCloud({ seed: 6, hosts: smallHosts(1), transitionDelayMs: 0 });
    const nc = client(cloud);
    const result = await nc.vms.createMany(
      [
        { provider: 'sim', ...vm('fits') },
        { provider: 'sim', ...vm('huge', 64) },
      ],
      { placement: 'auto' },
    );
    expect(result.created.map(({ index }) => index)).toEqual([0]);
    expect(result.failed).toMatchObject([{ index: 1, cause: 'provider', error: { code: 'NO_CAPACITY' } }]);
    expect(result.failed[0]!.error.message).toMatch(/huge: 1 host lacks 64 free vCPUs/);
  });

  it('refuses clearly without a placer, and on a provider without hosts', async () => {
    const cloud = new SimCloud({ seed: 7, hosts: smallHosts(1), transitionDelayMs: 0 });
    const bare = createNovaCron({ providers: { sim: createSimDriver({ cloud }) } });
    await expect(bare.placement.plan({ provider: 'sim', vms: [vm('a')] })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringMatching(/createNovaCron\(\{ providers, placement: createScheduler\(\) \}\)/),
    });
    await expect(
      bare.vms.createMany([{ provider: 'sim', ...vm('a') }], { placement: 'auto' }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const hostless = createSimDriver({ cloud });
    Object.defineProperty(hostless, 'capabilities', {
      value: { ...hostless.capabilities, hosts: false, createOnHost: false },
    });
    const nc = createNovaCron({ providers: { cloud: hostless }, placement: createScheduler() });
    await expect(
      nc.vms.createMany([{ provider: 'cloud', ...vm('a') }], { placement: 'auto' }),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      provider: 'cloud',
      message: expect.stringMatching(/sim, KVM/),
    });
  });
  it('waits for another apply on the provider (bounded by lockWaitMs), and refuses plans it cannot apply', async () => {
    const cloud = new SimCloud({ seed: 8, hosts: smallHosts(1), transitionDelayMs: 0 });
    const store = new MemoryStateStore();
    const nc = client(cloud, store);
    const plan = await nc.placement.plan({ provider: 'sim', vms: [vm('a')] });
    const other = await store.acquireLease('placement/sim', 'another-process', 60_000);
    await expect(nc.placement.apply(plan, { lockWaitMs: 30 })).rejects.toMatchObject({
      code: 'CONFLICT',
      retryable: true,
      message: expect.stringMatching(/lease 'placement\/sim' is held by another holder/),
    });
    const waiting = nc.placement.apply(plan);
    await other!.release();
    expect((await waiting).created).toHaveLength(1);
    const bare = createScheduler().place({ hosts: [], demands: [] });
    await expect(nc.placement.apply(bare)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'plan.provider',
    });
    await expect(nc.placement.plan({ provider: 'sim', vms: [vm('a'), vm('a')] })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'vms[1].name',
    });
  });
});
