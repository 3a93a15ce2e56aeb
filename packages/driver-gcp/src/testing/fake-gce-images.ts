/** A public image the fake serves (the fields an `Image` of the discovery document is built from). */
export interface FakeGceImage {
  /** The image name (`debian-12-bookworm-v20261101`). */
  name: string;
  /** Its family (`debian-12`), if any. */
  family?: string | undefined;
  /** When it was made (RFC 3339); the newest usable image of a family is what `getFromFamily` answers. */
  creationTimestamp: string;
  /** Its deprecation state, if any: DEPRECATED images still work, OBSOLETE and DELETED ones are refused. */
  deprecated?: 'DEPRECATED' | 'OBSOLETE' | 'DELETED' | undefined;
  /** `X86_64` or `ARM64`. Default `X86_64`. */
  architecture?: 'X86_64' | 'ARM64' | undefined;
}

/** The fake's default public images: a current and a deprecated Debian 12, an obsolete Debian 10, one Ubuntu. */
export const FAKE_IMAGES: Record<string, FakeGceImage[]> = {
  'debian-cloud': [
    {
      name: 'debian-10-buster-v20240110',
      family: 'debian-10',
      creationTimestamp: '2024-01-10T00:00:00Z',
      deprecated: 'OBSOLETE',
    },
    {
      name: 'debian-12-bookworm-v20260110',
      family: 'debian-12',
      creationTimestamp: '2026-01-10T00:00:00Z',
      deprecated: 'DEPRECATED',
    },
    { name: 'debian-12-bookworm-v20261101', family: 'debian-12', creationTimestamp: '2026-11-01T00:00:00Z' },
    {
      name: 'debian-12-bookworm-arm64-v20261101',
      family: 'debian-12-arm64',
      creationTimestamp: '2026-11-01T00:00:00Z',
      architecture: 'ARM64',
    },
  ],
  'ubuntu-os-cloud': [
    {
      name: 'ubuntu-2404-noble-amd64-v20261015',
      family: 'ubuntu-2404-lts-amd64',
      creationTimestamp: '2026-10-15T00:00:00Z',
    },
  ],
};

/** An image as the API returns it (`compute#image`), under `projectUrl` (`http://127.0.0.1:PORT/compute/v1/projects/p`). */
export function imageView(image: FakeGceImage, projectUrl: string): Record<string, unknown> {
  const selfLink = `${projectUrl}/global/images/${image.name}`;
  // A deprecated image points at its family, whose newest image replaces it.
  const replacement =
    image.family === undefined ? {} : { replacement: `${projectUrl}/global/images/family/${image.family}` };
  return {
    kind: 'compute#image',
    id: String(5_000_000_000 + [...image.name].reduce((sum, char) => sum + char.charCodeAt(0), 0)),
    creationTimestamp: image.creationTimestamp,
    name: image.name,
    description: `${image.name}, built ${image.creationTimestamp.slice(0, 10)}`,
    ...(image.family === undefined ? {} : { family: image.family }),
    sourceType: 'RAW',
    status: 'READY',
    archiveSizeBytes: '1250000000',
    diskSizeGb: '10',
    architecture: image.architecture ?? 'X86_64',
    labelFingerprint: '42WmSpB8rSM=',
    selfLink,
    ...(image.deprecated === undefined ? {} : { deprecated: { state: image.deprecated, ...replacement } }),
  };
}

/** The newest image of a family that is neither OBSOLETE nor DELETED, as `images.getFromFamily` answers. */
export function latestOfFamily(images: readonly FakeGceImage[], family: string): FakeGceImage | undefined {
  return images
    .filter(
      (image) => image.family === family && image.deprecated !== 'OBSOLETE' && image.deprecated !== 'DELETED',
    )
    .sort((left, right) => right.creationTimestamp.localeCompare(left.creationTimestamp))[0];
}

/** `projects/<p>/global/images/[family/]<name>`, alone or at the end of a URL; undefined for anything else. */
export function parseImageUrl(
  source: string,
): { project: string; family: boolean; name: string } | undefined {
  const match = /(?:^|\/)projects\/([^/]+)\/global\/images\/(family\/)?([^/]+)$/.exec(source);
  if (match === null) return undefined;
  return { project: match[1]!, family: match[2] !== undefined, name: match[3]! };
}
