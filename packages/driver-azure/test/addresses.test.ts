import { describe, expect, it } from 'vitest';
import { contractsPresent, useCheckedFakeArm } from './support/azure-contracts.js';
import { azureSpec, driverOn } from './support/azure-on-fake.js';
import { callContext, uniqueName } from './support/driver-context.js';

// Pages of 200 ARM items, so one ARM page holds every VM of a test and only NovaCron's pages are counted.
const fake = useCheckedFakeArm({ pageSize: 200, emptyPages: false });

/** The network requests (NICs, public IPs) `action` makes. */
async function networkRequestsOf(action: () => Promise<unknown>) {
  const before = fake().requests.length;
  await action();
  return fake()
    .requests.slice(before)
    .filter((request) => /Microsoft\.Network/.test(request.path))
    .map(
      (request) => `${request.method} ${request.path.replace(/^.*\/providers\/Microsoft\.Network\//, '')}`,
    );
}

describe.skipIf(!contractsPresent)('addresses from NICs and public IPs', () => {
  it('a list page reads the NICs and public IPs once per resource group, whatever its number of VMs', async () => {
    const driver = driverOn(fake());
    const made: string[] = [];
    const listWith = async (count: number) => {
      while (made.length < count) {
        const name = uniqueName('batch');
        await driver.doCreateVm(azureSpec(name), callContext());
        fake().attachPublicIp(`${name}-nic`, `20.0.0.${made.length + 1}`);
        made.push(name);
      }
      return networkRequestsOf(() => driver.doListVms({ pageSize: 100 }, callContext()));
    };
    const withTwo = await listWith(2);
    const withTwenty = await listWith(20);
    expect(withTwo).toEqual(['GET networkInterfaces', 'GET publicIPAddresses']);
    expect(withTwenty).toEqual(withTwo);
    const page = await driver.doListVms({ pageSize: 100 }, callContext());
    const listed = page.items.find((vm) => vm.name === made[0]);
    expect(listed?.addresses.public).toEqual(['20.0.0.1']);
    expect(listed?.addresses.private).toHaveLength(1);
    expect(listed?.networkInterfaces).toEqual([{ mac: expect.any(String), kind: 'nic' }]);
    await Promise.all(made.map((name) => driver.doDeleteVm(name, callContext())));
  });

  it('a subscription-wide list batches per resource group too', async () => {
    const driver = driverOn(fake());
    const names = [uniqueName('sub'), uniqueName('sub')];
    for (const name of names) await driver.doCreateVm(azureSpec(name), callContext());
    const subscriptionWide = driverOn(fake(), { resourceGroup: undefined });
    const requests = await networkRequestsOf(() => subscriptionWide.doListVms({}, callContext()));
    expect(requests).toEqual(['GET networkInterfaces']);
    await Promise.all(names.map((name) => driver.doDeleteVm(name, callContext())));
  });

  it('a single get reads its own NIC and public IP; a public IP without an address yet adds none', async () => {
    const driver = driverOn(fake());
    const name = uniqueName('one');
    await driver.doCreateVm(azureSpec(name), callContext());
    fake().attachPublicIp(`${name}-nic`);
    const requests = await networkRequestsOf(async () => {
      const vm = await driver.doGetVm(name, callContext());
      expect(vm.addresses.public).toEqual([]);
      expect(vm.addresses.private).toHaveLength(1);
    });
    expect(requests).toEqual([`GET networkInterfaces/${name}-nic`, `GET publicIPAddresses/${name}-nic-ip`]);
    fake().attachPublicIp(`${name}-nic`, '20.1.2.3');
    expect((await driver.doGetVm(name, callContext())).addresses.public).toEqual(['20.1.2.3']);
    await driver.doDeleteVm(name, callContext());
  });
});
