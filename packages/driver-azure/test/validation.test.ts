import { type CreateVmSpec, createNovaCron } from '@novacron/core';
import { FAKE_SUBNET_ID } from '@novacron/driver-azure/testing';
import { describe, expect, it } from 'vitest';
import { contractsPresent, useCheckedFakeArm } from './support/azure-contracts.js';
import { azureSpec, driverOn, SSH_PUBLIC_KEY } from './support/azure-on-fake.js';
import { expectCode, uniqueName } from './support/driver-context.js';

const fake = useCheckedFakeArm();

/** Creates through the client and expects INVALID_ARGUMENT on `field` with no request sent. */
async function refusedBeforeAnyRequest(spec: CreateVmSpec, field: string | RegExp) {
  const nc = createNovaCron({ providers: { azure: driverOn(fake()) } });
  const before = fake().requests.length;
  const error = await expectCode(nc.vms.create({ ...spec, provider: 'azure' }), 'INVALID_ARGUMENT');
  expect(error.field).toMatch(field);
  expect(fake().requests.length).toBe(before);
  await nc.close();
  return error;
}

const windowsSpec = (name: string): CreateVmSpec => ({
  name,
  size: 'Standard_B2s',
  image: 'MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:latest',
  providerOptions: { azure: { subnetId: FAKE_SUBNET_ID, adminPassword: 'Correct-horse-42!' } },
});

describe.skipIf(!contractsPresent)('bad input is refused before any request, naming the field', () => {
  it.each([
    ['web_1', 'an underscore (no computer name may hold one)'],
    ['web-', 'a trailing hyphen'],
    ['web.', 'a trailing period'],
    ['-web', 'a leading hyphen'],
    ['w'.repeat(65), '65 characters'],
  ])('the name %s: %s', async (name) => {
    await refusedBeforeAnyRequest(azureSpec(name), 'name');
  });

  it.each([
    ['web-server-01-xyz', 'over 15 characters'],
    ['web.1', 'a period'],
    ['12345', 'only digits'],
  ])('a Windows VM named %s (%s) breaks the computer-name rules', async (name) => {
    const error = await refusedBeforeAnyRequest(windowsSpec(name), 'name');
    expect(error.message).toMatch(/Windows computer name/);
  });

  it('a Windows VM takes a password, not an SSH key', async () => {
    const spec = windowsSpec('win-key');
    spec.providerOptions = { azure: { subnetId: FAKE_SUBNET_ID, sshPublicKey: SSH_PUBLIC_KEY } };
    await refusedBeforeAnyRequest(spec, 'providerOptions.azure.sshPublicKey');
    spec.providerOptions = { azure: { subnetId: FAKE_SUBNET_ID } };
    await refusedBeforeAnyRequest(spec, 'providerOptions.azure.adminPassword');
  });

  it('a Windows VM within the rules is made with a Windows OS profile the schema accepts', async () => {
    const name = uniqueName('w').slice(0, 10);
    const driver = driverOn(fake());
    const nc = createNovaCron({ providers: { azure: driver } });
    const vm = await nc.vms.create({ ...windowsSpec(name), provider: 'azure' });
    const stored = [...fake().vms.values()].find((each) => each.name === name);
    expect(stored?.properties.osProfile).toMatchObject({ windowsConfiguration: { provisionVMAgent: true } });
    // The fake keeps no password, and masks it in what it records.
    expect(JSON.stringify([...fake().vms.values(), ...fake().requests])).not.toContain('Correct-horse-42!');
    await nc.vms.delete(vm.ref);
    await nc.close();
  });

  it.each([
    [{ tags: Object.fromEntries(Array.from({ length: 49 }, (_, index) => [`t${index}`, 'v'])) }, /^tags$/],
    [{ tags: { 'a<b': 'v' } }, /^tags/],
    [{ tags: { ['k'.repeat(513)]: 'v' } }, /^tags/],
    [{ tags: { key: 'v'.repeat(257) } }, /^tags/],
  ])(
    'tags over Azure limits (%#: 48 of 50 left to users, no <>%&\\?/, keys of 512, values of 256)',
    async (extra, field) => {
      await refusedBeforeAnyRequest({ ...azureSpec(uniqueName('tags')), ...extra }, field);
    },
  );

  it('a size not in the catalog is refused before the NIC or VM is made', async () => {
    const name = uniqueName('size');
    const nc = createNovaCron({ providers: { azure: driverOn(fake()) } });
    const error = await expectCode(
      nc.vms.create({ ...azureSpec(name), size: 'Standard_Imaginary', provider: 'azure' }),
      'INVALID_ARGUMENT',
    );
    expect(error.field).toBe('size');
    expect(fake().requests.some((request) => request.method === 'PUT' && request.path.includes(name))).toBe(
      false,
    );
    await nc.close();
  });
});

describe.skipIf(!contractsPresent)('metrics', () => {
  it('are UNSUPPORTED, plainly: the capability is off, and the error says why and what to use', async () => {
    const driver = driverOn(fake());
    expect(driver.capabilities.metrics).toBe(false);
    expect('doReadMetrics' in driver).toBe(false);
    const nc = createNovaCron({ providers: { azure: driver } });
    const error = await expectCode(
      nc.vms.readMetrics(
        { provider: 'azure', id: 'any' },
        {
          metrics: ['cpu.utilization'],
          from: new Date(Date.now() - 60_000),
          to: new Date(),
          stepMs: 60_000,
        },
      ),
      'UNSUPPORTED',
    );
    expect(error.message).toContain('capabilities.metrics is false');
    expect(error.message).toMatch(/Azure Monitor.*@azure\/arm-monitor/);
    await nc.close();
  });
});
