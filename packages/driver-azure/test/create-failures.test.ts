import { createNovaCron } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { contractsPresent, useCheckedFakeArm } from './support/azure-contracts.js';
import { azureSpec, driverOn } from './support/azure-on-fake.js';
import { callContext, expectCode, uniqueName } from './support/driver-context.js';

const fake = useCheckedFakeArm();
const nicsNamed = (name: string) => [...fake().nics.values()].filter((nic) => nic.name === `${name}-nic`);
const vmsNamed = (name: string) => [...fake().vms.values()].filter((vm) => vm.name === name);
const vmPath = (name: string) => new RegExp(`/virtualMachines/${name}$`);

describe.skipIf(!contractsPresent)('a failed create leaves nothing behind', () => {
  it.each([
    ['AllocationFailed', 'NO_CAPACITY'],
    ['SkuNotAvailable', 'NO_CAPACITY'],
  ])('an operation that ends Failed with %s: %s, and the NIC is deleted', async (armCode, code) => {
    const driver = driverOn(fake());
    const name = uniqueName('opfail');
    fake().fault({ method: 'PUT', path: vmPath(name), operationError: { code: armCode } });
    const error = await expectCode(driver.doCreateVm(azureSpec(name), callContext()), code);
    expect(error.message).toContain(armCode);
    expect(vmsNamed(name)).toHaveLength(0);
    expect(nicsNamed(name)).toHaveLength(0);
  });

  it('a permanent 4xx on the VM PUT: the NIC is deleted, and a retry makes it again', async () => {
    const driver = driverOn(fake());
    const name = uniqueName('put400');
    const key = crypto.randomUUID();
    fake().fault({ method: 'PUT', path: vmPath(name), status: 400, code: 'InvalidParameter' });
    await expectCode(driver.doCreateVm(azureSpec(name), callContext(key)), 'INVALID_ARGUMENT');
    expect(nicsNamed(name)).toHaveLength(0);
    const vm = await driver.doCreateVm(azureSpec(name), callContext(key));
    expect(vm.state.name).toBe('running');
    expect(nicsNamed(name)).toHaveLength(1);
    await driver.doDeleteVm(name, callContext());
    expect(nicsNamed(name)).toHaveLength(0);
  });

  it('keeps the NIC of a VM the failed operation left behind (Failed), and the retry finishes that VM', async () => {
    const driver = driverOn(fake());
    const name = uniqueName('kept');
    const key = crypto.randomUUID();
    fake().fault({
      method: 'PUT',
      path: vmPath(name),
      operationError: { code: 'OSProvisioningTimedOut' },
      keepResource: true,
    });
    await expect(driver.doCreateVm(azureSpec(name), callContext(key))).rejects.toThrow(
      /OSProvisioningTimedOut/,
    );
    expect(vmsNamed(name)).toHaveLength(1);
    expect(nicsNamed(name)).toHaveLength(1);
    const vm = await driver.doCreateVm(azureSpec(name), callContext(key));
    expect(vm.state.name).toBe('running');
    await driver.doDeleteVm(name, callContext());
  });

  it('never deletes a NIC it did not make: a NIC of that name from elsewhere is CONFLICT, and stays', async () => {
    const name = uniqueName('theirs');
    const spec = azureSpec(name);
    await driverOn(fake()).doCreateVm(
      {
        ...spec,
        providerOptions: {
          azure: { ...(spec.providerOptions?.azure as object), keepNetworkInterface: true },
        },
      },
      callContext(),
    );
    await driverOn(fake()).doDeleteVm(name, callContext());
    expect(nicsNamed(name)).toHaveLength(1);
    const error = await expectCode(driverOn(fake()).doCreateVm(spec, callContext()), 'CONFLICT');
    expect(error.message).toMatch(/network interface .*-nic already exists/);
    expect(nicsNamed(name)).toHaveLength(1);
    expect(vmsNamed(name)).toHaveLength(0);
  });

  it('a lost create response never yields a second VM: the retry with the same key finds the first', async () => {
    const name = uniqueName('lost');
    fake().fault({ method: 'PUT', path: vmPath(name), loseResponse: true });
    const nc = createNovaCron({
      providers: { azure: driverOn(fake()) },
      limits: { default: { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } } },
    });
    const vm = await nc.vms.create({ ...azureSpec(name), provider: 'azure' });
    expect(vm.state.name).toBe('running');
    expect(vmsNamed(name)).toHaveLength(1);
    expect(nicsNamed(name)).toHaveLength(1);
    await nc.vms.delete(vm.ref);
    await nc.close();
  });
});
