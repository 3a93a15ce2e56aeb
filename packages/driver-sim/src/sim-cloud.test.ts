import { describe, expect, it } from 'vitest';
import { callContext, createContext, expectCode } from '../test/context.js';
import { SimApiError } from './sim-api-error.js';
import { SimCloud } from './sim-cloud.js';
import { createSimDriver } from './sim-driver.js';

async function apiError(promise: Promise<unknown>): Promise<SimApiError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SimApiError);
  return error as SimApiError;
}

describe('SimCloud, its own API', () => {
  it('speaks its own ids, statuses and errors, and knows nothing of NovaCron', async () => {
    const cloud = new SimCloud({ transitionDelayMs: 0 });
    const vm = await cloud.createVm({ name: 'web-1', size: 'sim.small', clientToken: 't1' });
    expect(vm).toMatchObject({
      id: 'vm-00000001',
      status: 'running',
      statusReason: 'booted',
      hostId: 'host-1',
    });
    await cloud.stopVm(vm.id);
    expect((await cloud.getVm(vm.id)).status).toBe('shut-off');
    const missing = await apiError(cloud.getVm('vm-ffffffff'));
    expect(missing).toMatchObject({ reason: 'VmNotFound', status: 404, retryable: false });
    const wrongState = await apiError(cloud.rebootVm(vm.id));
    expect(wrongState).toMatchObject({ reason: 'IncorrectState', status: 409 });
    const badSize = await apiError(cloud.createVm({ name: 'x', size: 'sim.huge' }));
    expect(badSize).toMatchObject({ reason: 'InvalidParameterValue', status: 400, parameter: 'size' });
  });

  it('is idempotent by client token: the same request returns the same VM, another one is refused', async () => {
    const cloud = new SimCloud({ transitionDelayMs: 0 });
    const [first, second] = await Promise.all([
      cloud.createVm({ name: 'a', size: 'sim.tiny', clientToken: 'k' }),
      cloud.createVm({ name: 'a', size: 'sim.tiny', clientToken: 'k' }),
    ]);
    expect(second).toEqual(first);
    expect(cloud.control.counts().vms).toBe(1);
    const mismatch = await apiError(cloud.createVm({ name: 'b', size: 'sim.tiny', clientToken: 'k' }));
    expect(mismatch).toMatchObject({ reason: 'IdempotentParameterMismatch', status: 409 });
  });

  it('fails injected faults like a service: 429 with Retry-After, 503, and lost responses after the effect', async () => {
    const cloud = new SimCloud({
      transitionDelayMs: 0,
      faults: { list: { throttleRate: 1, retryAfterMs: 50 } },
    });
    expect(await apiError(cloud.listVms({ limit: 10 }))).toMatchObject({
      reason: 'Throttling',
      status: 429,
      retryAfterMs: 50,
      retryable: true,
    });
    cloud.control.setFaults({ create: { lostResponseRate: 1 } });
    expect(await apiError(cloud.createVm({ name: 'a', size: 'sim.tiny' }))).toMatchObject({
      reason: 'ResponseLost',
      status: 502,
    });
    expect(cloud.control.counts().vms).toBe(1);
  });

  it('rejects with the signal reason when a call is cancelled, as fetch does', async () => {
    const cloud = new SimCloud({ faults: { get: { latencyMs: 60_000 } } });
    const controller = new AbortController();
    const call = cloud.getVm('vm-00000001', { signal: controller.signal });
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('deletes out of band through its control surface, without faults or a call context', async () => {
    const cloud = new SimCloud({ transitionDelayMs: 0, faults: { '*': { errorRate: 1 } } });
    cloud.control.setFaults({});
    const vm = await cloud.createVm({ name: 'a', size: 'sim.tiny', clientToken: 'k' });
    cloud.control.setFaults({ '*': { errorRate: 1 } });
    expect(cloud.control.deleteVm(vm.id)).toBe(true);
    expect(cloud.control.deleteVm(vm.id)).toBe(false);
    expect(cloud.control.counts()).toMatchObject({ vms: 0 });
    expect(cloud.control.snapshot().hosts[0]!.vmCount).toBe(0);
    cloud.control.setFaults({});
    // The client token still answers with the deleted VM, as a replayed create must.
    expect(await cloud.createVm({ name: 'a', size: 'sim.tiny', clientToken: 'k' })).toMatchObject({
      id: vm.id,
      status: 'terminated',
    });
  });
});

describe('the driver over a cloud', () => {
  it('drives a given cloud (several drivers may share one), and hands its control surface out', async () => {
    const cloud = new SimCloud({ transitionDelayMs: 0, pageSize: 7 });
    const first = createSimDriver({ cloud });
    const second = createSimDriver({ cloud });
    expect(first.cloud).toBe(cloud);
    expect(first.getClient()).toBe(cloud.control);
    expect(first.sim).toBe(cloud.control);
    expect(first.capabilities.maxPageSize).toBe(7);
    const vm = await first.doCreateVm({ name: 'a', size: 'sim.tiny' }, createContext('a'));
    expect((await second.doGetVm(vm.id, callContext())).id).toBe(vm.id);
    await first.close();
    expect(cloud.control.counts().vms).toBe(1);
    cloud.control.deleteVm(vm.id);
    await expectCode(second.doGetVm(vm.id, callContext()), 'NOT_FOUND');
    expect(() => createSimDriver({ cloud, seed: 3 })).toThrow(
      /either `cloud` or the cloud's options \(seed\)/,
    );
  });

  it('maps the cloud errors onto NovaCron codes, keeping the reason and status in a ProviderError cause', async () => {
    const driver = createSimDriver();
    const error = await expectCode(driver.doGetVm('vm-ffffffff', callContext()), 'NOT_FOUND');
    expect(error.message).toContain('sim getVm vm-ffffffff failed (VmNotFound)');
    expect(error.cause).toMatchObject({ name: 'ProviderError', providerCode: 'VmNotFound', statusCode: 404 });
  });
});
