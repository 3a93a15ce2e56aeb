import { type FullResources, fullResources } from '@novacron/core';
import { invalidParameter } from './sim-api-error.js';
import { SIM_IMAGES, SIM_SIZES } from './sim-catalog.js';
import type { SimCreateVmInput } from './sim-cloud-types.js';
import type { SimFleet } from './sim-fleet.js';

const SIZES_BY_NAME = new Map(SIM_SIZES.map((size) => [size.name, size]));
const IMAGE_IDS = new Set(SIM_IMAGES.map((image) => image.id));

/** A create request checked against the cloud's catalog and fleet, with the size resolved to resources. */
export interface ResolvedCreateRequest {
  name: string;
  resources: FullResources;
  size: string | undefined;
  image: string | undefined;
  zone: string | undefined;
  hostId: string | undefined;
  tags: Record<string, string>;
  /** In bytes per second. */
  dirtyRateBytesPerSecond: number | undefined;
  /** Kept only to tell a retried create from a different one under the same client token. */
  userData: string | undefined;
}

/**
 * Checks what only the cloud knows (its sizes, images, zones and hosts: one look-up each) and resolves the size to
 * resources; explicit `resources` win over the size's. Failures are `InvalidParameterValue` naming the parameter.
 */
export function resolveCreateRequest(input: SimCreateVmInput, fleet: SimFleet): ResolvedCreateRequest {
  let resources = input.resources === undefined ? undefined : fullResources(input.resources);
  if (input.size !== undefined) {
    const size = SIZES_BY_NAME.get(input.size);
    if (size === undefined) {
      throw invalidParameter(
        'size',
        `Unknown sim size '${input.size}'. Use one of ${[...SIZES_BY_NAME.keys()].join(', ')}, or give resources.`,
      );
    }
    resources ??= fullResources(size.resources);
  }
  if (resources === undefined) {
    throw invalidParameter(
      'resources',
      'The sim cloud needs resources or a size to create a VM; give one of them.',
    );
  }
  if (input.image !== undefined && !IMAGE_IDS.has(input.image)) {
    throw invalidParameter(
      'image',
      `Unknown sim image '${input.image}'. Use one of ${[...IMAGE_IDS].join(', ')}.`,
    );
  }
  if (input.zone !== undefined && !fleet.zones.includes(input.zone)) {
    throw invalidParameter('zone', `Unknown sim zone '${input.zone}'. Use one of ${fleet.zones.join(', ')}.`);
  }
  if (input.hostId !== undefined) {
    const host = fleet.host(input.hostId);
    if (host === undefined) {
      throw invalidParameter(
        'hostId',
        `Unknown sim host '${input.hostId}'. Use one of ${fleet.hosts.map((entry) => entry.id).join(', ')}, or omit it to let the sim place the VM.`,
      );
    }
    if (input.zone !== undefined && host.zone !== input.zone) {
      throw invalidParameter(
        'hostId',
        `Sim host '${host.id}' is in zone ${host.zone}, not ${input.zone}; drop one of the two.`,
      );
    }
  }
  return {
    name: input.name,
    resources,
    size: input.size,
    image: input.image,
    zone: input.zone,
    hostId: input.hostId,
    tags: input.tags === undefined ? {} : { ...input.tags },
    dirtyRateBytesPerSecond:
      input.dirtyRateMiBps === undefined ? undefined : input.dirtyRateMiBps * 1_048_576,
    userData: input.userData,
  };
}

/**
 * True when two resolved requests ask for the same VM: how the cloud tells a retried create from a different one
 * under the same client token. Compared only when a token comes back, so a first create pays nothing for it.
 */
export function sameCreateRequest(a: ResolvedCreateRequest, b: ResolvedCreateRequest): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  let text = '';
  for (const key of Object.keys(record).sort()) {
    if (record[key] === undefined) continue;
    text += `${text === '' ? '' : ','}${JSON.stringify(key)}:${canonicalJson(record[key])}`;
  }
  return `{${text}}`;
}
