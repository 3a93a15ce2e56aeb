import { createNovaCron } from '@novacron/core';
import { FAKE_IMAGES } from '@novacron/driver-azure/testing';
import { describe, expect, it } from 'vitest';
import { contractsPresent, useCheckedFakeArm } from './support/azure-contracts.js';
import { azureSpec, driverOn } from './support/azure-on-fake.js';
import { callContext, expectCode, uniqueName } from './support/driver-context.js';

const fake = useCheckedFakeArm();

/** Every URN of the fake's catalog for `publishers`, in the driver's order (case-blind by name at each level). */
function urnsOf(publishers: string[]): string[] {
  const sorted = (names: string[]) =>
    [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  return sorted(publishers).flatMap((publisher) => {
    const offers = FAKE_IMAGES[publisher] ?? {};
    return sorted(Object.keys(offers)).flatMap((offer) =>
      sorted(Object.keys(offers[offer]!)).flatMap((sku) =>
        sorted(offers[offer]![sku]!).map((version) => `${publisher}:${offer}:${sku}:${version}`),
      ),
    );
  });
}

describe.skipIf(!contractsPresent)('images', () => {
  it('walks the default publishers page by page with the toolkit cursor; unknown publishers add nothing', async () => {
    const nc = createNovaCron({ providers: { azure: driverOn(fake()) } });
    const images = await nc.images.list({ provider: 'azure', pageSize: 2 }).toArray();
    // RedHat and SUSE are defaults the fake does not serve (404): they are skipped, not an error.
    expect(images.map((image) => image.id)).toEqual(
      urnsOf(['Canonical', 'Debian', 'MicrosoftWindowsServer']),
    );
    expect(images.find((image) => image.id.startsWith('MicrosoftWindowsServer'))?.os).toBe('windows');
    await nc.close();
  });

  it('lists only the publishers and offers of the images option, and reads each level once per page', async () => {
    const driver = driverOn(fake(), { images: { publishers: ['Canonical'], offers: ['UBUNTU-24_04-LTS'] } });
    const before = fake().requests.length;
    const page = await driver.doListImages({}, callContext());
    expect(page.items.map((image) => image.id)).toEqual([
      'Canonical:ubuntu-24_04-lts:server:24.04.202501010',
      'Canonical:ubuntu-24_04-lts:server:24.04.202502140',
      'Canonical:ubuntu-24_04-lts:server-arm64:24.04.202502140',
    ]);
    expect(page.nextCursor).toBeUndefined();
    const paths = fake()
      .requests.slice(before)
      .map((request) => request.path.replace(/^.*\/publishers/, ''));
    expect(paths).toEqual([
      '/Canonical/artifacttypes/vmimage/offers',
      '/Canonical/artifacttypes/vmimage/offers/ubuntu-24_04-lts/skus',
      '/Canonical/artifacttypes/vmimage/offers/ubuntu-24_04-lts/skus/server/versions',
      '/Canonical/artifacttypes/vmimage/offers/ubuntu-24_04-lts/skus/server-arm64/versions',
    ]);
  });

  it('needs a region, and refuses unknown keys of the images option', async () => {
    const error = await expectCode(
      driverOn(fake(), { location: undefined }).doListImages({}, callContext()),
      'INVALID_ARGUMENT',
    );
    expect(error.field).toBe('location');
    expect(() => driverOn(fake(), { images: { publisher: ['Canonical'] } as never })).toThrow(/publisher/);
  });

  it('creates from a listed URN; a malformed URN is INVALID_ARGUMENT on image before any request', async () => {
    const driver = driverOn(fake(), { images: { publishers: ['Debian'] } });
    const [debian] = (await driver.doListImages({}, callContext())).items;
    const name = uniqueName('urn');
    const vm = await driver.doCreateVm({ ...azureSpec(name), image: debian!.id }, callContext());
    expect(vm.image).toBe(debian!.id);
    await driver.doDeleteVm(name, callContext());

    const before = fake().requests.length;
    for (const image of ['Canonical:ubuntu-24_04-lts:server', 'Canonical::server:latest', 'ubuntu']) {
      const error = await expectCode(
        driver.doCreateVm({ ...azureSpec(uniqueName('urn')), image }, callContext()),
        'INVALID_ARGUMENT',
      );
      expect(error.field).toBe('image');
      expect(error.message).toContain('publisher:offer:sku:version');
    }
    expect(fake().requests.length).toBe(before);
  });

  it('maps an image Azure does not have to INVALID_ARGUMENT on image, and leaves no NIC', async () => {
    const name = uniqueName('noimage');
    const error = await expectCode(
      driverOn(fake()).doCreateVm(
        { ...azureSpec(name), image: 'Canonical:nope:server:latest' },
        callContext(),
      ),
      'INVALID_ARGUMENT',
    );
    expect(error.field).toBe('image');
    expect([...fake().nics.values()].some((nic) => nic.name === `${name}-nic`)).toBe(false);
  });
});

describe.skipIf(!contractsPresent)('locations', () => {
  it('derives regions and zones from the resource SKUs, zones after their region', async () => {
    const page = await driverOn(fake()).doListLocations({}, callContext());
    expect(page.items).toEqual([
      { id: 'northeurope', kind: 'region' },
      { id: 'northeurope-1', kind: 'zone', region: 'northeurope' },
      { id: 'northeurope-2', kind: 'zone', region: 'northeurope' },
      { id: 'northeurope-3', kind: 'zone', region: 'northeurope' },
      { id: 'westeurope', kind: 'region' },
      { id: 'westeurope-1', kind: 'zone', region: 'westeurope' },
      { id: 'westeurope-2', kind: 'zone', region: 'westeurope' },
      { id: 'westeurope-3', kind: 'zone', region: 'westeurope' },
      { id: 'westus', kind: 'region' },
    ]);
  });
});
