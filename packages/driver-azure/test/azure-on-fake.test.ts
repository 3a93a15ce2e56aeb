import { randomUUID } from 'node:crypto';
import { createNovaCron } from '@novacron/core';
import {
  FAKE_LOCATION,
  FAKE_RESOURCE_GROUP,
  FAKE_SUBNET_ID,
  type FakeArm,
  NEXT_LINK_API_VERSION,
} from '@novacron/driver-azure/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contractsPresent, startCheckedFakeArm } from './support/azure-contracts.js';
import { azureSpec, driverOn, SSH_PUBLIC_KEY } from './support/azure-on-fake.js';
import { callContext, expectCode, uniqueName } from './support/driver-context.js';

let fake: FakeArm;
beforeAll(async () => {
  if (contractsPresent) fake = await startCheckedFakeArm();
});
afterEach(() => {
  expect(fake.violations).toEqual([]);
  expect(fake.alteredNextLinks).toEqual([]);
});
afterAll(() => fake?.close());

const requestsTo = (pattern: RegExp) =>
  fake.requests.filter((request) => pattern.test(`${request.method} ${request.path}`));

describe.skipIf(!contractsPresent)('the wire contract', () => {
  it('refuses a flat-model mistake: `properties` handed to the flat SDK model is dropped, and the fake says 400', async () => {
    const { compute } = driverOn(fake).getClient();
    const wrong = {
      location: FAKE_LOCATION,
      properties: { hardwareProfile: { vmSize: 'Standard_B1s' } },
    };
    const error = await compute.virtualMachines
      .createOrUpdate(FAKE_RESOURCE_GROUP, uniqueName('flat'), wrong as never, { updateIntervalInMs: 1 })
      .then(
        () => undefined,
        (thrown: unknown) => thrown as { statusCode?: number; code?: string },
      );
    expect(error?.statusCode).toBe(400);
    expect(error?.code).toBe('InvalidRequestContent');
    const [violation] = fake.violations.splice(0);
    expect(violation?.errors.join()).toMatch(/properties/);
    // The body as sent: only location survived the SDK's serializer.
    expect(violation?.body).toEqual({ location: FAKE_LOCATION });
  });

  it('sends VM and NIC bodies nested under properties, as the schemas require', async () => {
    const driver = driverOn(fake);
    const vmName = uniqueName('wire');
    await driver.doCreateVm(azureSpec(vmName), callContext());
    const put = requestsTo(new RegExp(`PUT .*/virtualMachines/${vmName}$`)).at(-1)?.body as {
      properties: { hardwareProfile: { vmSize: string }; networkProfile: { networkInterfaces: unknown[] } };
    };
    expect(put.properties.hardwareProfile.vmSize).toBe('Standard_B1s');
    expect(put.properties.networkProfile.networkInterfaces).toEqual([
      expect.objectContaining({ properties: { primary: true, deleteOption: 'Delete' } }),
    ]);
    await driver.doDeleteVm(vmName, callContext());
  });
});

describe.skipIf(!contractsPresent)('lifecycle details', () => {
  it('creates a NIC in the given subnet, reads addresses from it, and deletes it with the VM', async () => {
    const driver = driverOn(fake);
    const vmName = uniqueName('nic');
    const vm = await driver.doCreateVm(azureSpec(vmName), callContext());
    expect(vm.addresses.private).toHaveLength(1);
    expect(vm.state.name).toBe('running');
    expect([...fake.nics.values()].some((nic) => nic.name === `${vmName}-nic`)).toBe(true);
    await driver.doDeleteVm(vmName, callContext());
    expect([...fake.nics.values()].some((nic) => nic.name === `${vmName}-nic`)).toBe(false);
    await driver.doDeleteVm(vmName, callContext());
  });

  it('keeps the NIC when told to', async () => {
    const driver = driverOn(fake);
    const vmName = uniqueName('keep');
    const spec = azureSpec(vmName);
    spec.providerOptions = {
      azure: { subnetId: FAKE_SUBNET_ID, sshPublicKey: SSH_PUBLIC_KEY, keepNetworkInterface: true },
    };
    await driver.doCreateVm(spec, callContext());
    await driver.doDeleteVm(vmName, callContext());
    expect([...fake.nics.values()].some((nic) => nic.name === `${vmName}-nic`)).toBe(true);
  });

  it('stops by deallocating; force powers off first without shutdown; deallocate: false only powers off', async () => {
    const driver = driverOn(fake);
    const vmName = uniqueName('stop');
    await driver.doCreateVm(azureSpec(vmName), callContext());
    const actions = () =>
      requestsTo(new RegExp(`POST .*/virtualMachines/${vmName}/`)).map((request) =>
        request.path.split('/').at(-1),
      );
    await driver.doStopVm(vmName, { force: false }, callContext());
    expect(actions()).toEqual(['deallocate']);
    expect((await driver.doGetVm(vmName, callContext())).state.reason).toMatch(/^deallocated/);
    await driver.doStartVm(vmName, callContext());
    await driver.doStopVm(vmName, { force: true }, callContext());
    const forced = requestsTo(new RegExp(`POST .*/virtualMachines/${vmName}/powerOff`)).at(-1);
    expect(forced?.query.skipShutdown).toBe('true');
    await driver.doStartVm(vmName, callContext());
    await driver.doStopVm(
      vmName,
      { force: false, providerOptions: { azure: { deallocate: false } } },
      callContext(),
    );
    expect(actions()).toEqual(['deallocate', 'start', 'powerOff', 'deallocate', 'start', 'powerOff']);
    const stopped = await driver.doGetVm(vmName, callContext());
    expect(stopped.state).toMatchObject({ name: 'stopped', providerState: 'PowerState/stopped' });
    await expectCode(driver.doRebootVm(vmName, callContext()), 'CONFLICT');
    await expectCode(
      driver.doStopVm(
        vmName,
        { force: false, providerOptions: { azure: { hibernate: true } } },
        callContext(),
      ),
      'INVALID_ARGUMENT',
    );
    await driver.doDeleteVm(vmName, callContext());
  });

  it('reads states the platform sets: deallocating is stopping, a failed provisioning is error with its code', async () => {
    const driver = driverOn(fake);
    const vmName = uniqueName('state');
    await driver.doCreateVm(azureSpec(vmName), callContext());
    fake.plant(vmName, { power: 'deallocating' });
    expect((await driver.doGetVm(vmName, callContext())).state.name).toBe('stopping');
    fake.plant(vmName, {
      power: undefined,
      provisioningState: 'Failed',
      extraStatuses: [{ code: 'ProvisioningState/failed/OSProvisioningTimedOut', level: 'Error' }],
    });
    expect((await driver.doGetVm(vmName, callContext())).state).toMatchObject({
      name: 'error',
      reason: 'OSProvisioningTimedOut',
    });
    fake.plant(vmName, { power: 'running' });
    expect((await driver.doGetVm(vmName, callContext())).state.name).toBe('running');
    await driver.doDeleteVm(vmName, callContext());
  });
});

describe.skipIf(!contractsPresent)('creates', () => {
  it('refuses a name taken by another create as CONFLICT', async () => {
    const driver = driverOn(fake);
    const vmName = uniqueName('taken');
    await driver.doCreateVm(azureSpec(vmName), callContext());
    const error = await expectCode(driverOn(fake).doCreateVm(azureSpec(vmName), callContext()), 'CONFLICT');
    expect(error.retryable).toBe(false);
    await driver.doDeleteVm(vmName, callContext());
  });

  it('finds a VM made by an earlier attempt with the same key (another driver, another process)', async () => {
    const key = randomUUID();
    const vmName = uniqueName('again');
    const first = await driverOn(fake).doCreateVm(azureSpec(vmName), callContext(key));
    const second = await driverOn(fake).doCreateVm(azureSpec(vmName), callContext(key));
    expect(second.id).toBe(first.id);
    // Read with its instance view, as a create's answer always is.
    expect(second.state).toEqual(first.state);
    expect(second.addresses).toEqual(first.addresses);
    await driverOn(fake).doDeleteVm(vmName, callContext());
  });

  it('checks the size against the resource SKUs: unknown and restricted sizes are INVALID_ARGUMENT on size', async () => {
    const driver = driverOn(fake);
    const unknown = await expectCode(
      driver.doCreateVm({ ...azureSpec(uniqueName('size')), size: 'Standard_Nope' }, callContext()),
      'INVALID_ARGUMENT',
    );
    expect(unknown.field).toBe('size');
    const restricted = await expectCode(
      driver.doCreateVm({ ...azureSpec(uniqueName('size')), size: 'Standard_M416ms_v2' }, callContext()),
      'INVALID_ARGUMENT',
    );
    expect(restricted.message).toMatch(/NotAvailableForSubscription/);
  });

  it('needs a subnet, and maps a subnet that does not exist to INVALID_ARGUMENT', async () => {
    const driver = driverOn(fake);
    const missing = await expectCode(
      driver.doCreateVm({ ...azureSpec(uniqueName('net')), providerOptions: {} }, callContext()),
      'INVALID_ARGUMENT',
    );
    expect(missing.field).toBe('providerOptions.azure.subnetId');
    await expectCode(
      driver.doCreateVm(
        {
          ...azureSpec(uniqueName('net')),
          providerOptions: {
            azure: { subnetId: FAKE_SUBNET_ID.replace(/default$/, 'other'), sshPublicKey: SSH_PUBLIC_KEY },
          },
        },
        callContext(),
      ),
      'INVALID_ARGUMENT',
    );
  });

  it('passes the signal: an aborted create is ABORTED and sends nothing', async () => {
    const before = fake.requests.length;
    const controller = new AbortController();
    controller.abort();
    await expectCode(
      driverOn(fake).doCreateVm(azureSpec(uniqueName('abort')), {
        ...callContext(),
        signal: controller.signal,
      }),
      'ABORTED',
    );
    expect(fake.requests.length).toBe(before);
  });
});

describe.skipIf(!contractsPresent)('scripted faults through the real SDK', () => {
  it('maps a 429 to THROTTLED with Retry-After, and the pipeline waits and retries it', async () => {
    const driver = driverOn(fake);
    const vmName = uniqueName('throttle');
    await driver.doCreateVm(azureSpec(vmName), callContext());
    const vmPath = new RegExp(`/virtualMachines/${vmName}$`);
    fake.fault({ method: 'GET', path: vmPath, status: 429, code: 'TooManyRequests', retryAfterSeconds: 1 });
    const error = await expectCode(driver.doGetVm(vmName, callContext()), 'THROTTLED');
    expect(error.retryAfterMs).toBe(1_000);
    expect(error.statusCode).toBe(429);

    fake.fault({ method: 'GET', path: vmPath, status: 429, code: 'TooManyRequests', retryAfterSeconds: 1 });
    const nc = createNovaCron({ providers: { azure: driverOn(fake) } });
    const started = Date.now();
    const vm = await nc.vms.get({ provider: 'azure', id: vmName });
    expect(vm.name).toBe(vmName);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await nc.vms.delete(vm.ref);
    await nc.close();
  });

  it('maps a 503 to UNAVAILABLE; a create whose operation poll failed is finished by the retry, once', async () => {
    const driver = driverOn(fake);
    fake.fault({ method: 'GET', path: /\/virtualMachines$/, status: 503, code: 'ServiceUnavailable' });
    await expectCode(driver.doListVms({}, callContext()), 'UNAVAILABLE');

    const vmName = uniqueName('poll');
    fake.fault({
      method: 'GET',
      path: /Microsoft\.Compute\/locations\/.*\/operations\//,
      status: 503,
      code: 'ServiceUnavailable',
    });
    const nc = createNovaCron({
      providers: { azure: driverOn(fake) },
      limits: { default: { retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 } } },
    });
    const vm = await nc.vms.create({ ...azureSpec(vmName), provider: 'azure' });
    expect(vm.state.name).toBe('running');
    expect(requestsTo(new RegExp(`PUT .*/virtualMachines/${vmName}$`)).length).toBeGreaterThanOrEqual(1);
    expect([...fake.vms.values()].filter((each) => each.name === vmName)).toHaveLength(1);
    await nc.vms.delete(vm.ref);
    await nc.close();
  });
});

describe.skipIf(!contractsPresent)('lists', () => {
  it('follows nextLink exactly as given (another api-version, empty pages), never truncating', async () => {
    const driver = driverOn(fake);
    const prefix = uniqueName('list');
    await Promise.all(
      Array.from({ length: 90 }, (_, index) =>
        driver.doCreateVm(azureSpec(`${prefix}-${index}`), callContext()),
      ),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await driver.doListVms(
        { pageSize: 25, ...(cursor === undefined ? {} : { cursor }) },
        callContext(),
      );
      expect(page.items.length).toBeLessThanOrEqual(25);
      expect(page.items.length).toBeGreaterThan(0);
      seen.push(...page.items.map((vm) => vm.name));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== undefined);
    const mine = seen.filter((each) => each.startsWith(prefix));
    expect(new Set(mine).size).toBe(90);
    expect(mine).toHaveLength(90);
    expect(pages).toBeGreaterThan(3);
    const listed = requestsTo(/GET .*\/virtualMachines$/);
    expect(listed.some((request) => request.query['api-version'] === NEXT_LINK_API_VERSION)).toBe(true);
    expect(listed.every((request) => request.query.$expand === 'instanceView')).toBe(true);
    await Promise.all(
      Array.from({ length: 90 }, (_, index) => driver.doDeleteVm(`${prefix}-${index}`, callContext())),
    );
  });

  it('lists the whole subscription when the driver has no resource group', async () => {
    const driver = driverOn(fake);
    const vmName = uniqueName('sub');
    await driver.doCreateVm(azureSpec(vmName), callContext());
    const subscriptionWide = driverOn(fake, { resourceGroup: undefined });
    const page = await subscriptionWide.doListVms({}, callContext());
    expect(page.items.map((vm) => vm.name)).toContain(vmName);
    expect(
      requestsTo(/GET \/subscriptions\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines$/).length,
    ).toBeGreaterThan(0);
    await expectCode(
      subscriptionWide.doCreateVm(azureSpec(uniqueName('x')), callContext()),
      'INVALID_ARGUMENT',
    );
    await driver.doDeleteVm(vmName, callContext());
  });

  it('refuses a cursor whose link leaves the endpoint (it would carry the bearer token elsewhere)', async () => {
    const cursor = Buffer.from(
      JSON.stringify({ d: 'azure', l: 'vms', p: { link: 'https://evil.example/steal', offset: 0 } }),
    ).toString('base64url');
    const error = await expectCode(driverOn(fake).doListVms({ cursor }, callContext()), 'INVALID_ARGUMENT');
    expect(error.field).toBe('cursor');
  });

  it('lists sizes from the resource SKUs, restricted ones flagged, prices from the table', async () => {
    const driver = driverOn(fake, { priceTable: { Standard_B2s: 0.05 } });
    const page = await driver.doListSizes({}, callContext());
    expect(page.items.map((size) => size.name)).toContain('Standard_B2s');
    expect(page.items.find((size) => size.name === 'Standard_B2s')).toMatchObject({
      resources: { vcpus: 2, memoryMiB: 4096 },
      pricePerHour: 0.05,
      restricted: false,
    });
    expect(page.items.find((size) => size.name === 'Standard_M416ms_v2')?.restricted).toBe(true);
    expect(page.items.some((size) => size.name === 'Premium_LRS')).toBe(false);
  });
});
