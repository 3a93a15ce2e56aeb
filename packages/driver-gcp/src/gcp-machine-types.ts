import type { Resources, Size } from '@novacron/core';
import { NovaCronError } from '@novacron/core';

/** A Compute Engine machine type as a NovaCron size. */
export interface GcpSize extends Size {
  /** The machine type is deprecated in its zones (`deprecated.state` is DEPRECATED, OBSOLETE or DELETED). */
  deprecated: boolean;
  /** A shared-core type (`e2-micro`, `f1-micro`): its vCPUs are fractions of a core. */
  sharedCpu: boolean;
}

/** What the driver reads of a machine type. */
export interface MachineTypeView {
  name?: string | null;
  guestCpus?: number | null;
  memoryMb?: number | null;
  isSharedCpu?: boolean | null;
  deprecated?: { state?: string | null } | null;
}

/** `custom-<vcpus>-<MiB>` (N1) or `<series>-custom-<vcpus>-<MiB>`, optionally with `-ext` (extended memory). */
const CUSTOM = /^(?:([a-z][a-z0-9]*)-)?custom-(\d+)-(\d+)(-ext)?$/;

/** Google's rules for custom machine types, per series: vCPU steps and range, memory per vCPU in MiB. */
const CUSTOM_RULES: Record<string, { maxVcpus: number; minPerVcpu: number; maxPerVcpu: number }> = {
  n1: { maxVcpus: 96, minPerVcpu: 922, maxPerVcpu: 6656 },
  n2: { maxVcpus: 128, minPerVcpu: 512, maxPerVcpu: 8192 },
  n2d: { maxVcpus: 224, minPerVcpu: 512, maxPerVcpu: 8192 },
  e2: { maxVcpus: 32, minPerVcpu: 512, maxPerVcpu: 8192 },
};

/** Whether a machine type name is a custom one (`custom-2-4096`, `n2-custom-4-8192`). */
export function isCustomMachineType(name: string): boolean {
  return CUSTOM.test(name);
}

/**
 * The resources of a custom machine type, checked by Google's rules (vCPUs 1 or an even number up to the series'
 * maximum; memory a multiple of 256 MiB within the series' range per vCPU; extended memory only above the range).
 * A name that breaks them is `INVALID_ARGUMENT` on `field`, sent before any request.
 *
 * @example
 * customMachineTypeResources('custom-2-4096', 'size'); // { vcpus: 2, memoryMiB: 4096 }
 */
export function customMachineTypeResources(name: string, field: string): Resources {
  const match = CUSTOM.exec(name);
  if (match === null)
    throw invalid(field, `'${name}' is not a custom machine type name (custom-<vCPUs>-<MiB>).`);
  const series = match[1] ?? 'n1';
  const vcpus = Number(match[2]);
  const memoryMiB = Number(match[3]);
  const extended = match[4] !== undefined;
  const rules = CUSTOM_RULES[series];
  if (rules === undefined) {
    throw invalid(
      field,
      `Custom machine types of series '${series}' are not supported; use n1, n2, n2d or e2.`,
    );
  }
  if (vcpus < 1 || vcpus > rules.maxVcpus || (vcpus !== 1 && vcpus % 2 !== 0)) {
    throw invalid(
      field,
      `${name}: a ${series} custom type has 1 or an even number of vCPUs up to ${rules.maxVcpus}.`,
    );
  }
  if (series === 'e2' && vcpus < 2) throw invalid(field, `${name}: an e2 custom type has at least 2 vCPUs.`);
  if (memoryMiB % 256 !== 0) throw invalid(field, `${name}: memory must be a multiple of 256 MiB.`);
  if (memoryMiB < rules.minPerVcpu * vcpus) {
    throw invalid(
      field,
      `${name}: ${series} needs at least ${rules.minPerVcpu} MiB per vCPU (${rules.minPerVcpu * vcpus} MiB).`,
    );
  }
  if (!extended && memoryMiB > rules.maxPerVcpu * vcpus) {
    throw invalid(
      field,
      `${name}: ${series} allows at most ${rules.maxPerVcpu} MiB per vCPU without extended memory (add -ext).`,
    );
  }
  return { vcpus, memoryMiB };
}

/**
 * The custom machine type for `resources` (N1 naming, memory rounded up to 256 MiB), checked by Google's rules.
 *
 * @example
 * customMachineTypeFor({ vcpus: 2, memoryMiB: 4000 }); // 'custom-2-4096'
 */
export function customMachineTypeFor(resources: Resources): string {
  const memoryMiB = Math.ceil(resources.memoryMiB / 256) * 256;
  const name = `custom-${resources.vcpus}-${memoryMiB}`;
  customMachineTypeResources(name, 'resources');
  return name;
}

/** A machine type as a size. */
export function toGcpSize(type: MachineTypeView, zones: string[]): GcpSize {
  const state = type.deprecated?.state ?? '';
  return {
    name: type.name ?? '',
    resources: { vcpus: type.guestCpus ?? 0, memoryMiB: type.memoryMb ?? 0 },
    locations: zones,
    deprecated: state === 'DEPRECATED' || state === 'OBSOLETE' || state === 'DELETED',
    sharedCpu: type.isSharedCpu === true,
  };
}

/** The last segment of a resource URL or partial path (`.../machineTypes/e2-micro` -> `e2-micro`). */
export function lastSegment(link: string | null | undefined): string {
  return (
    String(link ?? '')
      .split('/')
      .pop() ?? ''
  );
}

function invalid(field: string, message: string): NovaCronError {
  return new NovaCronError({ code: 'INVALID_ARGUMENT', field, message });
}
