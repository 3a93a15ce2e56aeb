import {
  fullResources,
  type PlacementRejection,
  RESOURCE_DIMENSIONS,
  type ResourceDimension,
} from '@novacron/core';
import { invalidArgument } from '../invalid-argument.js';
import type { CapacityFilter } from '../placement-filter.js';
import { hostsPhrase } from './host-phrase.js';

/** Options of {@link resourceFit}. */
export interface ResourceFitOptions {
  /**
   * Overcommit ratio per resource: a host may give out `capacity * ratio`. A resource without a ratio here uses
   * the host's own `allocatable` (which its driver computed from the host's overcommit). Default: none here.
   */
  overcommit?: Partial<Record<ResourceDimension, number>>;
}

const UNITS: Record<ResourceDimension, string> = {
  vcpus: 'vCPUs',
  memoryMiB: 'MiB of memory',
  diskGiB: 'GiB of disk',
  gpus: 'GPUs',
};

/**
 * Resource fit (filter `resource-fit`): a VM goes only to a host with room for it in every resource (vcpus,
 * memoryMiB, diskGiB, gpus), after the host's overcommit. Rejections read
 * `{ filter: 'resource-fit', resource: 'gpus', requested: 4 }`: "12 hosts lack 4 free GPUs".
 *
 * @example
 * resourceFit({ overcommit: { vcpus: 4, memoryMiB: 1 } });
 */
export function resourceFit(options: ResourceFitOptions = {}): CapacityFilter {
  const ratios = options.overcommit ?? {};
  for (const [dimension, ratio] of Object.entries(ratios)) {
    if (!(RESOURCE_DIMENSIONS as readonly string[]).includes(dimension)) {
      throw invalidArgument(
        `overcommit.${dimension}`,
        `resourceFit: overcommit.${dimension} is not a resource; use ${RESOURCE_DIMENSIONS.join(', ')}.`,
      );
    }
    if (!(typeof ratio === 'number' && Number.isFinite(ratio) && ratio > 0)) {
      throw invalidArgument(
        `overcommit.${dimension}`,
        `resourceFit: overcommit.${dimension} is ${String(ratio)}; use a finite number > 0 (1 = no overcommit).`,
      );
    }
  }
  return {
    kind: 'capacity',
    name: 'resource-fit',
    dimensions: RESOURCE_DIMENSIONS,
    room(host) {
      return RESOURCE_DIMENSIONS.map((dimension) => {
        const ratio = ratios[dimension];
        const limit = ratio === undefined ? host.allocatable[dimension] : host.capacity[dimension] * ratio;
        return limit - host.allocated[dimension];
      });
    },
    use(demand) {
      const resources = fullResources(demand.resources);
      return RESOURCE_DIMENSIONS.map((dimension) => resources[dimension]);
    },
    rejection(demand, dimension): PlacementRejection {
      const resource = RESOURCE_DIMENSIONS[dimension]!;
      return { filter: 'resource-fit', resource, requested: fullResources(demand.resources)[resource] };
    },
    describe(rejection, hosts) {
      const unit = UNITS[rejection.resource as ResourceDimension] ?? String(rejection.resource);
      return `${hostsPhrase(hosts, 'lacks', 'lack')} ${String(rejection.requested)} free ${unit}`;
    },
  };
}
