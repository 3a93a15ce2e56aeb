import { createNovaCron, NovaCronError } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { gcpDriverFor, useFakeGce } from './support/gcp-on-fake.js';

// Every request body here is also checked against the discovery document's Instance schema (useFakeGce).
const fake = useFakeGce();

function insertBodyOf(name: string): Record<string, unknown> {
  const call = fake()
    .calls.filter((each) => each.methodId === 'compute.instances.insert')
    .find((each) => (each.body as { name?: string }).name === name);
  expect(call, `an insert of ${name}`).toBeDefined();
  return call!.body as Record<string, unknown>;
}

describe('providerOptions.gcp in the insert body', () => {
  it('maps network, subnetwork, an ephemeral external IP, the boot disk, the service account and Spot', async () => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const vm = await nc.vms.create({
      provider: 'gcp',
      name: 'options-1',
      size: 'e2-small',
      location: { zone: 'europe-west1-b' },
      providerOptions: {
        gcp: {
          network: 'prod',
          subnetwork: 'web',
          externalIp: 'ephemeral',
          bootDisk: { sizeGb: 20, type: 'pd-ssd', autoDelete: false },
          serviceAccount: {
            email: 'runner@novacron-test.iam.gserviceaccount.com',
            scopes: ['cloud-platform', 'https://www.googleapis.com/auth/devstorage.read_only'],
          },
          spot: true,
        },
      },
    });
    expect(insertBodyOf('options-1')).toMatchObject({
      networkInterfaces: [
        {
          network: 'global/networks/prod',
          subnetwork: 'regions/europe-west1/subnetworks/web',
          accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }],
        },
      ],
      disks: [
        {
          boot: true,
          autoDelete: false,
          initializeParams: { diskSizeGb: '20', diskType: 'zones/europe-west1-b/diskTypes/pd-ssd' },
        },
      ],
      serviceAccounts: [
        {
          email: 'runner@novacron-test.iam.gserviceaccount.com',
          scopes: [
            'https://www.googleapis.com/auth/cloud-platform',
            'https://www.googleapis.com/auth/devstorage.read_only',
          ],
        },
      ],
      scheduling: { provisioningModel: 'SPOT', instanceTerminationAction: 'STOP', automaticRestart: false },
    });
    expect(vm.addresses.public).toHaveLength(1);
    await nc.vms.delete(vm.ref);
    await nc.close();
  });

  it('keeps a static external address, and sends a subnetwork path alone', async () => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const vm = await nc.vms.create({
      provider: 'gcp',
      name: 'options-2',
      size: 'e2-small',
      providerOptions: {
        gcp: {
          subnetwork: 'projects/host-project/regions/us-central1/subnetworks/shared',
          externalIp: { address: '203.0.113.7' },
          serviceAccount: { email: 'default' },
        },
      },
    });
    const [networkInterface] = insertBodyOf('options-2').networkInterfaces as Array<Record<string, unknown>>;
    expect(networkInterface).toEqual({
      subnetwork: 'projects/host-project/regions/us-central1/subnetworks/shared',
      accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT', natIP: '203.0.113.7' }],
    });
    expect(insertBodyOf('options-2').serviceAccounts).toEqual([
      { email: 'default', scopes: ['https://www.googleapis.com/auth/cloud-platform'] },
    ]);
    expect(vm.addresses.public).toEqual(['203.0.113.7']);
    await nc.vms.delete(vm.ref);
    await nc.close();
  });

  it('makes an internal-only VM on the default network, its boot disk deleted with it, by default', async () => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const vm = await nc.vms.create({ provider: 'gcp', name: 'options-3', size: 'e2-small' });
    const body = insertBodyOf('options-3');
    expect(body.networkInterfaces).toEqual([{ network: 'global/networks/default' }]);
    expect(body.disks).toMatchObject([{ boot: true, autoDelete: true }]);
    expect(body).not.toHaveProperty('scheduling');
    expect(body).not.toHaveProperty('serviceAccounts');
    expect(vm.addresses.public).toEqual([]);
    await nc.vms.delete(vm.ref);
    await nc.close();
  });
});

describe('providerOptions.gcp refused before any request', () => {
  it.each([
    [{ bootDisk: { sizeGb: 5 } }, 'providerOptions.gcp.bootDisk.sizeGb', /at least 10 GB/],
    [{ bootDisk: { sizeGb: 10.5 } }, 'providerOptions.gcp.bootDisk.sizeGb', /whole number/],
    [{ bootDisk: { type: 'PD SSD' } }, 'providerOptions.gcp.bootDisk.type', /disk type name/],
    [{ externalIp: 'public' }, 'providerOptions.gcp.externalIp', /'none', 'ephemeral'/],
    [{ externalIp: { address: 'my-static-ip' } }, 'providerOptions.gcp.externalIp.address', /IPv4/],
    [{ network: 'Prod Net' }, 'providerOptions.gcp.network', /network name/],
    [{ subnetwork: 'regions/x/subnetworks/y' }, 'providerOptions.gcp.subnetwork', /subnetwork name/],
    [{ serviceAccount: { email: 'runner' } }, 'providerOptions.gcp.serviceAccount.email', /email/],
    [
      { serviceAccount: { email: 'default', scopes: ['all of it'] } },
      'providerOptions.gcp.serviceAccount.scopes.0',
      /scope/,
    ],
    [{ spot: 'yes' }, 'providerOptions.gcp.spot', /boolean/],
    [{ preemptible: true }, 'providerOptions.gcp', /unknown: preemptible/],
  ])('refuses %j as INVALID_ARGUMENT on %s', async (gcp, field, message) => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const before = fake().calls.length;
    const error = await nc.vms
      .create({ provider: 'gcp', name: 'refused', size: 'e2-small', providerOptions: { gcp } })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(NovaCronError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    expect((error as Error).message).toMatch(message);
    expect(fake().calls.length).toBe(before);
    await nc.close();
  });
});
