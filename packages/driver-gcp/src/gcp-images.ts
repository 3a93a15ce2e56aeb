import type { protos } from '@google-cloud/compute';
import { type Image, NovaCronError } from '@novacron/core';

type GceImage = protos.google.cloud.compute.v1.IImage;

/** The image projects listed when the driver options name none: Google's Debian and Ubuntu images. */
export const DEFAULT_IMAGE_PROJECTS: readonly string[] = ['debian-cloud', 'ubuntu-os-cloud'];

/** A Compute Engine image as NovaCron lists it. */
export interface GcpImage extends Image {
  /** `projects/<project>/global/images/<name>`: give it as a create's `image`. */
  id: string;
  /** The project it belongs to (`debian-cloud`). */
  project: string;
  /** Its family (`debian-12`), if any: `projects/<project>/global/images/family/<family>` is always its newest. */
  family?: string;
  /** DEPRECATED: it still works, but Google names a replacement (`replacement`). */
  deprecated: boolean;
  /** The replacement Google suggests for a deprecated image. */
  replacement?: string;
  /** `X86_64` or `ARM64`, where given. */
  architecture?: string;
}

/** What a create's `image` names: an image family to resolve, or one image. */
export type GcpImageReference =
  | { kind: 'family'; project: string; family: string }
  | { kind: 'image'; sourceImage: string };

const NAME = '[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?';
const PROJECT = '[a-z][-a-z0-9.:]{4,61}[a-z0-9]';
const URL_PREFIX = '(?:https://(?:www|compute)\\.googleapis\\.com/compute/v1/)?';
const FAMILY_PATH = new RegExp(`^${URL_PREFIX}projects/(${PROJECT})/global/images/family/(${NAME})$`);
const IMAGE_PATH = new RegExp(`^${URL_PREFIX}projects/(${PROJECT})/global/images/(${NAME})$`);
const SHORT_FAMILY = new RegExp(`^(${PROJECT})/(${NAME})$`);

/**
 * Reads a create's `image`: `projects/<project>/global/images/family/<family>` or its short form `<project>/<family>`
 * (`debian-cloud/debian-12`) is a family, resolved to its newest image before the insert;
 * `projects/<project>/global/images/<name>` (or the full URL of either) is one image, sent as it is.
 *
 * @throws NovaCronError `INVALID_ARGUMENT` on `image` for anything else, before any request.
 */
export function parseImageReference(image: string): GcpImageReference {
  const family = FAMILY_PATH.exec(image) ?? SHORT_FAMILY.exec(image);
  if (family !== null) return { kind: 'family', project: family[1]!, family: family[2]! };
  if (IMAGE_PATH.test(image)) return { kind: 'image', sourceImage: image };
  throw new NovaCronError({
    code: 'INVALID_ARGUMENT',
    field: 'image',
    message: `Image '${image}' is not a Compute Engine image. Give a family as projects/<project>/global/images/family/<family> or <project>/<family> (debian-cloud/debian-12), or one image as projects/<project>/global/images/<name>; list images to see them.`,
  });
}

/** A listed image, or undefined for one that can no longer make a VM (OBSOLETE, DELETED). */
export function toGcpImage(image: GceImage, project: string): GcpImage | undefined {
  const state = image.deprecated?.state ?? 'ACTIVE';
  if (state === 'OBSOLETE' || state === 'DELETED') return undefined;
  const name = image.name ?? '';
  const listed: GcpImage = {
    id: `projects/${project}/global/images/${name}`,
    name,
    project,
    deprecated: state === 'DEPRECATED',
    raw: image,
  };
  if (image.family) listed.family = image.family;
  if (image.deprecated?.replacement) listed.replacement = image.deprecated.replacement;
  if (image.architecture) listed.architecture = String(image.architecture);
  return listed;
}
