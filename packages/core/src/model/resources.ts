/**
 * The resources a VM asks for or a host offers.
 *
 * `vcpus` and `memoryMiB` are required everywhere; `diskGiB` and `gpus` default to 0 when absent.
 *
 * @example
 * const small: Resources = { vcpus: 2, memoryMiB: 4096, diskGiB: 20 };
 */
export interface Resources {
  /** Virtual CPUs. */
  vcpus: number;
  /** Memory in MiB. */
  memoryMiB: number;
  /** Root disk in GiB. Default 0 (diskless or provider default). */
  diskGiB?: number;
  /** GPUs. Default 0. */
  gpus?: number;
}

/** The resource dimensions NovaCron knows, in the fixed order used by placement vectors. */
export const RESOURCE_DIMENSIONS = ['vcpus', 'memoryMiB', 'diskGiB', 'gpus'] as const;

/** One of {@link RESOURCE_DIMENSIONS}. */
export type ResourceDimension = (typeof RESOURCE_DIMENSIONS)[number];

/** Resources with every dimension present. */
export type FullResources = Required<Resources>;

/**
 * Fills the optional dimensions of `resources` with 0.
 *
 * @example
 * fullResources({ vcpus: 1, memoryMiB: 512 }); // { vcpus: 1, memoryMiB: 512, diskGiB: 0, gpus: 0 }
 */
export function fullResources(resources: Resources): FullResources {
  return {
    vcpus: resources.vcpus,
    memoryMiB: resources.memoryMiB,
    diskGiB: resources.diskGiB ?? 0,
    gpus: resources.gpus ?? 0,
  };
}

/** Adds two resource records dimension by dimension. */
export function addResources(left: Resources, right: Resources): FullResources {
  const a = fullResources(left);
  const b = fullResources(right);
  return {
    vcpus: a.vcpus + b.vcpus,
    memoryMiB: a.memoryMiB + b.memoryMiB,
    diskGiB: a.diskGiB + b.diskGiB,
    gpus: a.gpus + b.gpus,
  };
}

/** Subtracts `right` from `left` dimension by dimension (results may be negative). */
export function subtractResources(left: Resources, right: Resources): FullResources {
  const a = fullResources(left);
  const b = fullResources(right);
  return {
    vcpus: a.vcpus - b.vcpus,
    memoryMiB: a.memoryMiB - b.memoryMiB,
    diskGiB: a.diskGiB - b.diskGiB,
    gpus: a.gpus - b.gpus,
  };
}

/** True when `demand` fits in `available` in every dimension. */
export function resourcesFit(demand: Resources, available: Resources): boolean {
  const d = fullResources(demand);
  const a = fullResources(available);
  return RESOURCE_DIMENSIONS.every((dimension) => d[dimension] <= a[dimension]);
}
