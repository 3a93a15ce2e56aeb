import { type CreateVmSpec, fullResources, NovaCronError } from '@novacron/core';
import { parseProviderOptions } from '@novacron/core/driver';
import { z } from 'zod';
import type { SimCreateVmInput } from './sim-cloud-types.js';

/** The sim's own provider options, `providerOptions.sim` of a create spec. */
const simCreateOptions = z
  .object({
    /** The VM's dirty-page rate in MiB/s, for the migration model. */
    dirtyRateMiBps: z.number().nonnegative().optional(),
  })
  .strict();

/**
 * A create spec as the cloud's `createVm` input. The core has checked the contract (name, resources, tags, the
 * options' shape); the cloud checks its sizes, images, zones and hosts. Here: the sim's provider options and its
 * one region.
 */
export function toCreateVmInput(spec: CreateVmSpec, clientToken: string, region: string): SimCreateVmInput {
  const options = parseProviderOptions('sim', spec.providerOptions, simCreateOptions);
  const location = spec.location ?? {};
  if (location.region !== undefined && location.region !== region) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'location.region',
      message: `The sim cloud has one region, '${region}'; got '${location.region}'. Leave the region out or use '${region}'.`,
    });
  }
  return {
    name: spec.name,
    size: spec.size,
    resources: spec.resources === undefined ? undefined : fullResources(spec.resources),
    image: spec.image,
    zone: location.zone,
    hostId: location.hostId,
    tags: spec.tags,
    userData: spec.userData,
    dirtyRateMiBps: options?.dirtyRateMiBps,
    clientToken,
  };
}
