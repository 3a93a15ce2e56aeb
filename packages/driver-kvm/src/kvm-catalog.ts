import type { Image, Location, Page, PageRequest, Size } from '@novacron/core';
import type { KvmDriverOptions } from './kvm-driver-options.js';
import type { KvmHost } from './kvm-fleet.js';
import { indexPage } from './kvm-paging.js';

/** One page of the sizes configured on the driver. */
export function listSizes(sizes: KvmDriverOptions['sizes'], request: PageRequest): Page<Size> {
  const all = Object.entries(sizes ?? {}).map(([name, resources]) => ({ name, resources }));
  return indexPage(all, request, 500);
}

/** One page of the images configured on the driver (the image's options are its `raw`). */
export function listImages(images: KvmDriverOptions['images'], request: PageRequest): Page<Image> {
  const all = Object.entries(images ?? {}).map(([name, image]) => ({
    id: name,
    name,
    ...(image.os === undefined ? {} : { os: image.os }),
    raw: image,
  }));
  return indexPage(all, request, 500);
}

/** One page of the zones the hosts are in. */
export function listLocations(hosts: readonly KvmHost[], request: PageRequest): Page<Location> {
  const zones = [
    ...new Set(hosts.flatMap((host) => (host.options.zone === undefined ? [] : [host.options.zone]))),
  ];
  return indexPage(
    zones.map((zone) => ({ id: zone, kind: 'zone' as const })),
    request,
    500,
  );
}
