import type { Image, Location, Page, PageRequest, Size } from '@novacron/core';
import { pageOf } from '@novacron/core/driver';
import type { KvmDriverOptions } from './kvm-driver-options.js';
import type { KvmHost } from './kvm-fleet.js';

/** One page of the sizes configured on the driver, at most `maxPageSize` long. */
export function listSizes(
  sizes: KvmDriverOptions['sizes'],
  request: PageRequest,
  maxPageSize: number,
): Page<Size> {
  const all = Object.entries(sizes ?? {}).map(([name, resources]) => ({ name, resources }));
  return pageOf(all, request, { driver: 'kvm', list: 'sizes', maxPageSize });
}

/** One page of the images configured on the driver (the image's options are its `raw`). */
export function listImages(
  images: KvmDriverOptions['images'],
  request: PageRequest,
  maxPageSize: number,
): Page<Image> {
  const all = Object.entries(images ?? {}).map(([name, image]) => ({
    id: name,
    name,
    ...(image.os === undefined ? {} : { os: image.os }),
    raw: image,
  }));
  return pageOf(all, request, { driver: 'kvm', list: 'images', maxPageSize });
}

/** One page of the zones the hosts are in. */
export function listLocations(
  hosts: readonly KvmHost[],
  request: PageRequest,
  maxPageSize: number,
): Page<Location> {
  const zones = [
    ...new Set(hosts.flatMap((host) => (host.options.zone === undefined ? [] : [host.options.zone]))),
  ];
  return pageOf(
    zones.map((zone) => ({ id: zone, kind: 'zone' as const })),
    request,
    { driver: 'kvm', list: 'locations', maxPageSize },
  );
}
