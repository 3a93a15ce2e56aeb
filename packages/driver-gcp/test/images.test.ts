import { createNovaCron, type DriverCallContext, NovaCronError } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import type { GcpImage } from '../src/index.js';
import { gcpDriverFor, useFakeGce } from './support/gcp-on-fake.js';

const fake = useFakeGce();

function context(): DriverCallContext {
  return { signal: new AbortController().signal, operationId: 'images', attempt: 1 };
}

async function refusal(promise: Promise<unknown>): Promise<NovaCronError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(NovaCronError.isInstance(error), String(error)).toBe(true);
  return error as NovaCronError;
}

function sourceImageOf(name: string): string | undefined {
  const call = fake()
    .calls.filter((each) => each.methodId === 'compute.instances.insert')
    .find((each) => (each.body as { name?: string }).name === name);
  const body = (call?.body ?? {}) as { disks?: Array<{ initializeParams?: { sourceImage?: string } }> };
  return body.disks?.[0]?.initializeParams?.sourceImage;
}

describe('images of the image projects', () => {
  it('lists the default projects, flags deprecated images and leaves obsolete ones out', async () => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const images = (await nc.images.list({ provider: 'gcp' }).toArray()) as unknown as GcpImage[];
    expect(images.map((image) => image.id)).toEqual([
      'projects/debian-cloud/global/images/debian-12-bookworm-v20260110',
      'projects/debian-cloud/global/images/debian-12-bookworm-v20261101',
      'projects/debian-cloud/global/images/debian-12-bookworm-arm64-v20261101',
      'projects/ubuntu-os-cloud/global/images/ubuntu-2404-noble-amd64-v20261015',
    ]);
    expect(images[0]).toMatchObject({
      family: 'debian-12',
      project: 'debian-cloud',
      deprecated: true,
      replacement: expect.stringMatching(/projects\/debian-cloud\/global\/images\/family\/debian-12$/),
    });
    expect(images[1]).toMatchObject({ deprecated: false, architecture: 'X86_64' });
    expect(images[2]).toMatchObject({ architecture: 'ARM64' });
    await nc.close();
  });

  it('pages with the toolkit cursor: Compute Engine page tokens within a project, then the next project', async () => {
    const driver = gcpDriverFor(fake(), {
      images: { projects: [fake().project, 'debian-cloud', 'ubuntu-os-cloud'] },
    });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await driver.doListImages(
        { pageSize: 2, ...(cursor === undefined ? {} : { cursor }) },
        context(),
      );
      seen.push(...page.items.map((image) => image.name));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== undefined);
    // The driver's own project has no images: its empty page is skipped within the first call.
    expect(seen).toHaveLength(4);
    expect(pages).toBeGreaterThanOrEqual(3);
    const tokens = fake().calls.filter(
      (call) => call.methodId === 'compute.images.list' && call.query.has('pageToken'),
    );
    expect(tokens.length).toBeGreaterThan(0);
    await expect(driver.doListImages({ cursor: 'bm90LWEtY3Vyc29y' }, context())).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'cursor',
    });
  });

  it('lists only the projects of the driver options', async () => {
    const nc = createNovaCron({
      providers: { gcp: gcpDriverFor(fake(), { images: { projects: ['ubuntu-os-cloud'] } }) },
    });
    const images = await nc.images.list({ provider: 'gcp' }).toArray();
    expect(images.map((image) => image.name)).toEqual(['ubuntu-2404-noble-amd64-v20261015']);
    await nc.close();
  });
});

describe('images by family in a create', () => {
  it.each([
    [
      'projects/debian-cloud/global/images/family/debian-12',
      'projects/debian-cloud/global/images/debian-12-bookworm-v20261101',
    ],
    [
      'https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/family/debian-12',
      'projects/debian-cloud/global/images/debian-12-bookworm-v20261101',
    ],
    [
      'ubuntu-os-cloud/ubuntu-2404-lts-amd64',
      'projects/ubuntu-os-cloud/global/images/ubuntu-2404-noble-amd64-v20261015',
    ],
    [
      'projects/debian-cloud/global/images/debian-12-bookworm-v20260110',
      'projects/debian-cloud/global/images/debian-12-bookworm-v20260110',
    ],
  ])('boots %s from %s', async (image, sourceImage) => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const name = `image-${sourceImage.slice(-8)}-${image.length}`;
    const vm = await nc.vms.create({ provider: 'gcp', name, size: 'e2-small', image });
    expect(sourceImageOf(name)).toBe(sourceImage);
    await nc.vms.delete(vm.ref);
    await nc.close();
  });

  it('boots the newest Debian 12 when no image is given', async () => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const vm = await nc.vms.create({ provider: 'gcp', name: 'image-default', size: 'e2-small' });
    expect(sourceImageOf('image-default')).toBe(
      'projects/debian-cloud/global/images/debian-12-bookworm-v20261101',
    );
    await nc.vms.delete(vm.ref);
    await nc.close();
  });

  it.each([
    ['debian-cloud/no-such-family', /family 'no-such-family' has no usable image in project 'debian-cloud'/],
    ['projects/debian-cloud/global/images/family/debian-10', /family 'debian-10' has no usable image/],
  ])('refuses %s as INVALID_ARGUMENT on image, before the insert', async (image, message) => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const inserts = fake().calls.filter((call) => call.methodId === 'compute.instances.insert').length;
    const error = await refusal(
      nc.vms.create({ provider: 'gcp', name: 'image-unknown', size: 'e2-small', image }),
    );
    expect([error.code, error.field]).toEqual(['INVALID_ARGUMENT', 'image']);
    expect(error.message).toMatch(message);
    expect(fake().calls.filter((call) => call.methodId === 'compute.instances.insert').length).toBe(inserts);
    await nc.close();
  });

  it.each(['debian-12', 'ami-0abcdef1234567890', 'projects/debian-cloud/images/debian-12'])(
    'refuses %s, which names no Compute Engine image, before any request',
    async (image) => {
      const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
      const before = fake().calls.length;
      const error = await refusal(
        nc.vms.create({ provider: 'gcp', name: 'image-bad', size: 'e2-small', image }),
      );
      expect([error.code, error.field]).toEqual(['INVALID_ARGUMENT', 'image']);
      expect(error.message).toContain('projects/<project>/global/images/family/<family>');
      expect(fake().calls.length).toBe(before);
      await nc.close();
    },
  );
});
