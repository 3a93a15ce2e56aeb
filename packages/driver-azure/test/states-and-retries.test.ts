import { createNovaCron } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { contractsPresent, useCheckedFakeArm } from './support/azure-contracts.js';
import { azureSpec, driverOn } from './support/azure-on-fake.js';
import { callContext, uniqueName } from './support/driver-context.js';

const fake = useCheckedFakeArm();

describe.skipIf(!contractsPresent)('every state row of the instance view, through the SDK', () => {
  it('reads each planted state as docs/azure.md says', async () => {
    const driver = driverOn(fake());
    const name = uniqueName('rows');
    await driver.doCreateVm(azureSpec(name), callContext());
    const stateAfter = async (change: Parameters<ReturnType<typeof fake>['plant']>[1]) => {
      fake().plant(name, { provisioningState: 'Succeeded', power: 'running', extraStatuses: [], ...change });
      return (await driver.doGetVm(name, callContext())).state;
    };
    expect(await stateAfter({ power: 'deallocating' })).toMatchObject({ name: 'stopping' });
    expect(await stateAfter({ power: 'stopped' })).toMatchObject({
      name: 'stopped',
      reason: expect.stringMatching(/billed/),
    });
    expect(await stateAfter({ power: 'deallocated' })).toMatchObject({
      name: 'stopped',
      reason: expect.stringMatching(/^deallocated/),
    });
    expect(
      await stateAfter({
        provisioningState: 'Failed',
        power: undefined,
        extraStatuses: [{ code: 'ProvisioningState/failed/AllocationFailed', level: 'Error' }],
      }),
    ).toMatchObject({ name: 'error', reason: 'AllocationFailed' });
    expect(
      await stateAfter({
        provisioningState: 'Failed',
        extraStatuses: [{ code: 'ProvisioningState/failed/VMExtensionProvisioningError', level: 'Error' }],
      }),
    ).toMatchObject({ name: 'running', reason: expect.stringContaining('VMExtensionProvisioningError') });
    expect(
      await stateAfter({ power: undefined, extraStatuses: [{ code: 'PowerState/hibernated' }] }),
    ).toEqual({
      name: 'unknown',
      providerState: 'PowerState/hibernated',
    });
    await stateAfter({});
    await driver.doDeleteVm(name, callContext());
  });
});

describe.skipIf(!contractsPresent)('the pipeline retries what Azure says to retry', () => {
  it('a burst of 429s with Retry-After, then 5xx, then the answer', async () => {
    const driver = driverOn(fake());
    const name = uniqueName('burst');
    await driver.doCreateVm(azureSpec(name), callContext());
    const path = new RegExp(`/virtualMachines/${name}$`);
    fake().fault(
      { method: 'GET', path, status: 429, code: 'TooManyRequests', retryAfterSeconds: 0, times: 3 },
      { method: 'GET', path, status: 503, code: 'ServiceUnavailable', times: 2 },
    );
    const nc = createNovaCron({
      providers: { azure: driver },
      limits: { default: { retry: { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 5 } } },
    });
    const before = fake().requests.length;
    const vm = await nc.vms.get({ provider: 'azure', id: name });
    expect(vm.state.name).toBe('running');
    const gets = fake()
      .requests.slice(before)
      .filter((request) => request.method === 'GET' && path.test(request.path));
    expect(gets).toHaveLength(6);
    await nc.vms.delete(vm.ref);
    await nc.close();
  });
});
