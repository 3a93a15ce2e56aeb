import { createNovaCron, NovaCronError, paginateVms } from '@novacron/core';
import { createSimDriver } from '@novacron/driver-sim';
import { describe, expect, it } from 'vitest';

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
}

async function runningVm() {
  const nc = createNovaCron({ providers: { sim: createSimDriver({ seed: 9 }) } });
  const vm = await nc.vms.create({
    provider: 'sim',
    name: 'checked',
    resources: { vcpus: 1, memoryMiB: 256 },
  });
  await nc.vms.waitUntil(vm.ref, 'running', { intervalMs: 5 });
  return { nc, vm };
}

describe('vms.waitUntil arguments', () => {
  it('refuses an unknown state and an empty list at once with INVALID_ARGUMENT', async () => {
    const { nc, vm } = await runningVm();
    const started = performance.now();
    const unknown = await errorOf(nc.vms.waitUntil(vm.ref, 'runing' as never, { timeoutMs: 5_000 }));
    expect(NovaCronError.isInstance(unknown) && unknown.code).toBe('INVALID_ARGUMENT');
    expect((unknown as Error).message).toContain("'runing'");
    const empty = await errorOf(nc.vms.waitUntil(vm.ref, [], { timeoutMs: 5_000 }));
    expect(NovaCronError.isInstance(empty) && empty.field).toBe('states');
    expect(performance.now() - started).toBeLessThan(1_000);
    await nc.close();
  });

  it('refuses a negative or NaN timeoutMs with a TypeError naming it', async () => {
    const { nc, vm } = await runningVm();
    await expect(nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: -1 })).rejects.toThrow(TypeError);
    await expect(nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: Number.NaN })).rejects.toThrow(/timeoutMs/);
    await nc.close();
  });
});

describe('migrations.start arguments', () => {
  it('takes a signal: an aborted one starts nothing', async () => {
    const { nc, vm } = await runningVm();
    const error = await errorOf(
      nc.migrations.start({ vm: vm.ref, to: 'host-3', mode: 'live', signal: AbortSignal.abort() }),
    );
    expect(NovaCronError.isInstance(error) && error.code).toBe('ABORTED');
    expect(await nc.migrations.list()).toEqual([]);
    await nc.close();
  });

  it('cancels a running migration when its signal aborts', async () => {
    const { nc, vm } = await runningVm();
    const controller = new AbortController();
    const migration = await nc.migrations.start({
      vm: vm.ref,
      to: 'host-3',
      mode: 'live',
      policy: { bandwidthMiBps: 1 },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    const error = await errorOf(migration.done);
    expect(NovaCronError.isInstance(error) && error.code).toBe('ABORTED');
    expect((await nc.migrations.get(migration.id))?.phase).toBe('cancelled');
    await nc.close();
  });

  it('checks the policy in core, naming the bad setting', async () => {
    const { nc, vm } = await runningVm();
    for (const [policy, field] of [
      [{ bandwidthMiBps: -5 }, 'policy.bandwidthMiBps'],
      [{ maxDowntimeMs: Number.NaN }, 'policy.maxDowntimeMs'],
      [{ onTimeout: 'explode' }, 'policy.onTimeout'],
      [{ bandwith: 5 }, 'policy.bandwith'],
    ] as const) {
      const error = await errorOf(nc.migrations.start({ vm: vm.ref, to: 'host-3', policy: policy as never }));
      expect(NovaCronError.isInstance(error) && error.field, JSON.stringify(policy)).toBe(field);
    }
    expect(await nc.migrations.list()).toEqual([]);
    await nc.close();
  });

  it('is refused after close()', async () => {
    const { nc, vm } = await runningVm();
    await nc.close();
    const error = await errorOf(nc.migrations.start({ vm: vm.ref, to: 'host-3' }));
    expect(NovaCronError.isInstance(error) && error.code).toBe('UNAVAILABLE');
    expect((error as Error).message).toContain('closed');
  });
});

describe('page sizes', () => {
  it('are checked once in core for every list, catalogs too, and capped at the driver maximum', async () => {
    const nc = createNovaCron({ providers: { sim: createSimDriver({ seed: 9 }) } });
    for (const [list, label] of [
      [() => nc.vms.list({ provider: 'sim', pageSize: 0 }).toArray(), 'vms.list'],
      [() => nc.hosts.list({ provider: 'sim', pageSize: 1.5 }).toArray(), 'hosts.list'],
      [() => nc.sizes.list({ provider: 'sim', pageSize: Number.NaN }).toArray(), 'sizes.list'],
      [() => nc.images.list({ provider: 'sim', pageSize: -3 }).toArray(), 'images.list'],
    ] as const) {
      const error = await errorOf(list());
      expect(NovaCronError.isInstance(error) && error.field, label).toBe('pageSize');
    }
    const hosts = await nc.hosts.list({ provider: 'sim', pageSize: 10_000 }).toArray();
    expect(hosts.length).toBeGreaterThan(0);
    await nc.close();
  });
});

describe('createMany failures', () => {
  it('say where each cause lies: the request, or the provider', async () => {
    const driver = createSimDriver({ seed: 9, faults: { create: { errorRate: 1 } } });
    const nc = createNovaCron({
      providers: { sim: driver },
      limits: { default: { retry: { maxAttempts: 2, baseDelayMs: 1 } } },
    });
    const result = await nc.vms.createMany([
      { provider: 'sim', name: 'bad name!', resources: { vcpus: 1, memoryMiB: 256 } },
      { provider: 'sim', name: 'good', resources: { vcpus: 1, memoryMiB: 256 } },
    ]);
    expect(result.failed.map((failure) => [failure.index, failure.cause, failure.error.code])).toEqual([
      [0, 'request', 'INVALID_ARGUMENT'],
      [1, 'provider', 'UNAVAILABLE'],
    ]);
    await nc.close();
  });
});

describe('error messages', () => {
  it("name the call the user made and the user's name for the provider, not the driver kind", async () => {
    const nc = createNovaCron({ providers: { 'lab-east': createSimDriver({ seed: 9 }) } });
    const error = await errorOf(nc.vms.get('lab-east:vm-ffffffff'));
    expect(NovaCronError.isInstance(error) && error.code).toBe('NOT_FOUND');
    expect((error as Error).message.startsWith("vms.get on provider 'lab-east': ")).toBe(true);
    await nc.close();
  });
});

describe('records from drivers', () => {
  it('are copied, so a driver may hand over a record it keeps', async () => {
    const kept = {
      id: 'vm-1',
      name: 'kept',
      state: { name: 'running' as const, providerState: 'running' },
      resources: { vcpus: 1, memoryMiB: 256 },
      location: {},
      addresses: { private: [], public: [] },
      tags: {},
    };
    const sim = createSimDriver({ seed: 9 });
    sim.doGetVm = async () => kept;
    const nc = createNovaCron({ providers: { sim } });
    const vm = await nc.vms.get('sim:vm-1');
    expect(vm.ref).toEqual({ provider: 'sim', id: 'vm-1' });
    expect('ref' in kept).toBe(false);
    expect('kind' in kept).toBe(false);
    await nc.close();
  });
});

describe('paginateVms', () => {
  it('pages through the client, so bad input is refused by core and never reaches the driver', async () => {
    const nc = createNovaCron({ providers: { sim: createSimDriver({ seed: 9 }) } });
    await nc.vms.create({ provider: 'sim', name: 'paged', resources: { vcpus: 1, memoryMiB: 256 } });
    const names: string[] = [];
    for await (const vm of paginateVms(nc, { provider: 'sim' })) names.push(vm.name);
    expect(names).toEqual(['paged']);
    const error = await errorOf(
      (async () => {
        for await (const _vm of paginateVms(nc, { provider: 'sim', pageSize: 0 })) void _vm;
      })(),
    );
    expect(NovaCronError.isInstance(error) && error.field).toBe('pageSize');
    await nc.close();
  });
});

describe('vms.stop providerOptions', () => {
  it('is checked in core for its shape, naming the field, before the driver sees it', async () => {
    const { nc, vm } = await runningVm();
    const error = await errorOf(nc.vms.stop(vm.ref, { providerOptions: { aws: 'hibernate' } as never }));
    expect(NovaCronError.isInstance(error) && error.field).toBe('providerOptions.aws');
    expect((await nc.vms.get(vm.ref)).state.name).toBe('running');
    await nc.close();
  });
});
