import {
  type CreateVmSpec,
  type DriverCapabilities,
  type FullResources,
  fullResources,
  NovaCronError,
  RESOURCE_DIMENSIONS,
} from '@novacron/core';
import { SIM_IMAGES, SIM_REGION, SIM_SIZES } from './sim-catalog.js';
import type { SimFleet } from './sim-fleet.js';

/** A create spec checked against the sim's catalog and fleet, with the size resolved to resources. */
export interface ResolvedCreateSpec {
  name: string;
  resources: FullResources;
  size: string | undefined;
  image: string | undefined;
  zone: string | undefined;
  hostId: string | undefined;
  tags: Record<string, string>;
  /** From `providerOptions.sim.dirtyRateMiBps`, in bytes per second. */
  dirtyRateBytesPerSecond: number | undefined;
  /** Kept only to tell a retried create from a different one under the same idempotency key. */
  userData: string | undefined;
  /** The provider options, as canonical JSON (`undefined` when none), for the same comparison. */
  providerOptionsJson: string | undefined;
}

/**
 * Checks a create spec the way a cloud API would (name, resources or a known size, a known image, zone and host)
 * and resolves it. Explicit `resources` win over the size's. Failures are `INVALID_ARGUMENT` naming the field.
 */
export function resolveCreateSpec(
  spec: CreateVmSpec,
  capabilities: DriverCapabilities,
  fleet: SimFleet,
): ResolvedCreateSpec {
  if (
    typeof spec.name !== 'string' ||
    spec.name.length === 0 ||
    spec.name.length > capabilities.maxNameLength ||
    !capabilities.namePattern.test(spec.name)
  ) {
    throw invalid(
      'name',
      `VM name '${String(spec.name)}' is not accepted by the sim driver: use 1 to ${capabilities.maxNameLength} characters matching ${capabilities.namePattern}.`,
    );
  }
  let resources: FullResources | undefined;
  if (spec.size !== undefined) {
    const size = SIM_SIZES.find((candidate) => candidate.name === spec.size);
    if (size === undefined) {
      throw invalid(
        'size',
        `Unknown sim size '${spec.size}'. Use one of ${SIM_SIZES.map((entry) => entry.name).join(', ')}, or give resources.`,
      );
    }
    resources = fullResources(size.resources);
  }
  if (spec.resources !== undefined) resources = checkResources(fullResources(spec.resources));
  if (resources === undefined) {
    throw invalid('resources', 'The sim driver needs resources or a size to create a VM; give one of them.');
  }
  if (spec.image !== undefined && !SIM_IMAGES.some((image) => image.id === spec.image)) {
    throw invalid(
      'image',
      `Unknown sim image '${spec.image}'. Use one of ${SIM_IMAGES.map((image) => image.id).join(', ')}.`,
    );
  }
  const location = spec.location ?? {};
  if (location.region !== undefined && location.region !== SIM_REGION) {
    throw invalid(
      'location.region',
      `The sim fleet has one region, '${SIM_REGION}'; got '${location.region}'.`,
    );
  }
  if (location.zone !== undefined && !fleet.zones.includes(location.zone)) {
    throw invalid(
      'location.zone',
      `Unknown sim zone '${location.zone}'. Use one of ${fleet.zones.join(', ')}.`,
    );
  }
  if (location.hostId !== undefined) {
    const host = fleet.host(location.hostId);
    if (host === undefined) {
      throw invalid(
        'location.hostId',
        `Unknown sim host '${location.hostId}'. Use one of ${fleet.hosts.map((entry) => entry.id).join(', ')}, or omit it to let the sim place the VM.`,
      );
    }
    if (location.zone !== undefined && host.zone !== location.zone) {
      throw invalid(
        'location.hostId',
        `Sim host '${host.id}' is in zone ${host.zone}, not ${location.zone}; drop one of the two.`,
      );
    }
  }
  return {
    name: spec.name,
    resources,
    size: spec.size,
    image: spec.image,
    zone: location.zone,
    hostId: location.hostId,
    tags: spec.tags === undefined ? {} : { ...spec.tags },
    dirtyRateBytesPerSecond: dirtyRateOption(spec.providerOptions?.sim?.dirtyRateMiBps),
    userData: spec.userData,
    providerOptionsJson: spec.providerOptions === undefined ? undefined : canonicalJson(spec.providerOptions),
  };
}

/**
 * True when two resolved specs ask for the same VM: how the sim tells a retried create from a different one under
 * the same idempotency key. Compared only when a key comes back, so a first create pays nothing for it.
 */
export function sameCreateSpec(a: ResolvedCreateSpec, b: ResolvedCreateSpec): boolean {
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

function checkResources(resources: FullResources): FullResources {
  for (const dimension of RESOURCE_DIMENSIONS) {
    const amount = resources[dimension];
    const mustBePositive = dimension === 'vcpus' || dimension === 'memoryMiB';
    const mustBeInteger = dimension === 'vcpus' || dimension === 'gpus';
    if (
      typeof amount !== 'number' ||
      !Number.isFinite(amount) ||
      amount < 0 ||
      (mustBePositive && amount === 0) ||
      (mustBeInteger && !Number.isInteger(amount))
    ) {
      throw invalid(
        `resources.${dimension}`,
        `resources.${dimension} must be a finite ${mustBeInteger ? 'integer' : 'number'} ${mustBePositive ? '> 0' : '>= 0'}, got ${String(amount)}.`,
      );
    }
  }
  return resources;
}

function dirtyRateOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(
      'providerOptions.sim.dirtyRateMiBps',
      `providerOptions.sim.dirtyRateMiBps must be a finite number >= 0 (MiB/s), got ${String(value)}.`,
    );
  }
  return value * 1_048_576;
}

function invalid(field: string, message: string): NovaCronError {
  return new NovaCronError({ code: 'INVALID_ARGUMENT', field, message });
}
