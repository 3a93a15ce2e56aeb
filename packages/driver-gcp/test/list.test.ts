import { createNovaCron, type DriverCallContext } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import type { GcpSize } from '../src/index.js';
import { GCE_STATUS_ROWS } from './support/gce-status-rows.js';
import { gcpDriverFor, useFakeGce } from './support/gcp-on-fake.js';

const fake = useFakeGce();

function context(): DriverCallContext {
  return { signal: new AbortController().signal, operationId: 'list', attempt: 1 };
}

describe('lists across zones', () => {
  it('pages through aggregatedList with its page tokens, ignoring per-zone warnings, never truncating', async () => {
    const driver = gcpDriverFor(fake());
    const nc = createNovaCron({ providers: { gcp: driver } });
    const zones = ['us-central1-a', 'us-central1-b', 'europe-west1-b'];
    const made = await Promise.all(
      Array.from({ length: 7 }, (_, index) =>
        nc.vms.create({
          provider: 'gcp',
          name: `pages-${index}`,
          size: 'e2-micro',
          location: { zone: zones[index % 3]! },
        }),
      ),
    );
    const first = await driver.doListVms({ pageSize: 3 }, context());
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).toBeDefined();
    const listed = await nc.vms.list({ provider: 'gcp', pageSize: 2 }).toArray();
    expect(listed.map((vm) => vm.ref.id).sort()).toEqual(made.map((vm) => vm.ref.id).sort());
    const tokens = fake().calls.filter(
      (call) => call.methodId === 'compute.instances.aggregatedList' && call.query.has('pageToken'),
    );
    expect(tokens.length).toBeGreaterThan(2);
    // The driver serving one zone lists only that zone's instances.
    const europe = gcpDriverFor(fake(), { zones: ['europe-west1-b'] });
    const inEurope = (await europe.doListVms({}, context())).items;
    expect(inEurope.map((vm) => vm.location.zone)).toEqual(['europe-west1-b', 'europe-west1-b']);
    await Promise.all(made.map((vm) => nc.vms.delete(vm.ref)));
    await nc.close();
  });

  it('refuses a cursor it did not make', async () => {
    const driver = gcpDriverFor(fake());
    await expect(driver.doListVms({ cursor: 'bm90LWEtY3Vyc29y' }, context())).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'cursor',
    });
  });
});

describe('instances as VMs', () => {
  it('reports addresses from networkIP and natIP, labels as tags, and the machine type as size', async () => {
    const driver = gcpDriverFor(fake());
    // An instance with an external address, made through the SDK directly (the driver makes internal-only VMs).
    const [operation] = await driver.getClient().instances.insert({
      project: fake().project,
      zone: 'us-central1-a',
      instanceResource: {
        name: 'addressed-1',
        machineType: 'zones/us-central1-a/machineTypes/e2-small',
        labels: { team: 'web' },
        networkInterfaces: [
          {
            network: 'global/networks/default',
            accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }],
          },
        ],
      },
    });
    expect(operation.name).toBeDefined();
    const vm = await driver.doGetVm('us-central1-a/addressed-1', context());
    expect(vm.addresses.private).toHaveLength(1);
    expect(vm.addresses.public).toHaveLength(1);
    expect(vm.tags).toEqual({ team: 'web' });
    expect(vm).toMatchObject({
      size: 'e2-small',
      resources: { vcpus: 2, memoryMiB: 2048 },
      location: { zone: 'us-central1-a', region: 'us-central1' },
    });
    await driver.doDeleteVm(vm.id, context());
  });

  // Every row of docs/gcp.md's state table, as the real SDK hands the status over.
  it.each([...GCE_STATUS_ROWS, ['SOMETHING_NEW', 'unknown', undefined] as const])(
    'reports status %s as %s through the client',
    async (status, name, reason) => {
      const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
      const vm = await nc.vms.create({
        provider: 'gcp',
        name: `status-${status.toLowerCase().replaceAll('_', '-')}`,
        size: 'e2-micro',
      });
      fake().setStatus('us-central1-a', vm.name, status);
      const state = (await nc.vms.get(vm.ref)).state;
      expect(state).toEqual({ name, providerState: status, ...(reason === undefined ? {} : { reason }) });
      fake().setStatus('us-central1-a', vm.name, 'RUNNING');
      await nc.vms.delete(vm.ref);
      await nc.close();
    },
  );
});

describe('catalogs', () => {
  it('lists machine types as sizes once each, deprecated ones flagged, and zones as locations', async () => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const sizes = (await nc.sizes.list({ provider: 'gcp' }).toArray()) as unknown as GcpSize[];
    expect(new Set(sizes.map((size) => size.name)).size).toBe(sizes.length);
    expect(sizes.find((size) => size.name === 'n1-standard-1')).toMatchObject({ deprecated: true });
    expect(sizes.find((size) => size.name === 'e2-micro')).toMatchObject({
      deprecated: false,
      sharedCpu: true,
      locations: fake().zones.slice().sort(),
    });
    await nc.close();
  });

  it('lists the regions, then the zones with their region (from zones.list)', async () => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake(), { zones: undefined }) } });
    const locations = await nc.locations.list({ provider: 'gcp' }).toArray();
    expect(locations.map(({ id, kind, region }) => ({ id, kind, region }))).toEqual([
      { id: 'europe-west1', kind: 'region', region: undefined },
      { id: 'us-central1', kind: 'region', region: undefined },
      { id: 'europe-west1-b', kind: 'zone', region: 'europe-west1' },
      { id: 'us-central1-a', kind: 'zone', region: 'us-central1' },
      { id: 'us-central1-b', kind: 'zone', region: 'us-central1' },
    ]);
    // A driver serving some zones lists those zones and their regions only.
    const europe = createNovaCron({
      providers: { gcp: gcpDriverFor(fake(), { zones: ['europe-west1-b'] }) },
    });
    expect(
      (await europe.locations.list({ provider: 'gcp' }).toArray()).map((location) => location.id),
    ).toEqual(['europe-west1', 'europe-west1-b']);
    await Promise.all([nc.close(), europe.close()]);
  });
});
