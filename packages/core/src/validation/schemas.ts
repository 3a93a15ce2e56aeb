import { z } from 'zod';
import type { DriverCapabilities } from '../driver/driver-capabilities.js';
import { VM_STATE_NAMES } from '../model/vm.js';

const count = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .refine(Number.isFinite, `${what} must be a finite number, not NaN or Infinity`)
    .refine((value) => value >= 0, `${what} must not be negative`);

/** Schema of `providerOptions`: an object of option objects keyed by driver kind; each driver reads its own. */
const providerOptionsSchema = z.record(
  z.string(),
  z.record(z.string(), z.unknown(), { error: 'each entry of providerOptions must be an object of options' }),
  { error: 'providerOptions must be an object keyed by driver kind ({ aws: { ... } })' },
);

/** Schema of {@link Resources}: finite, non-negative, with at least one vCPU and some memory. */
export const resourcesSchema = z.strictObject({
  vcpus: count('vcpus')
    .refine(Number.isInteger, 'vcpus must be a whole number')
    .refine((value) => value >= 1, 'vcpus must be at least 1'),
  memoryMiB: count('memoryMiB').refine((value) => value > 0, 'memoryMiB must be greater than 0'),
  diskGiB: count('diskGiB').optional(),
  gpus: count('gpus').refine(Number.isInteger, 'gpus must be a whole number').optional(),
});

/** The tags schema of a driver: its count, length and character rules (the capability manifest's `*Tag*` flags). */
function tagsSchema(capabilities: DriverCapabilities) {
  const { maxTags, maxTagKeyLength, maxTagValueLength, tagKeyPattern, tagValuePattern } = capabilities;
  return z
    .record(
      z
        .string()
        .min(1, 'tag keys must not be empty')
        .max(maxTagKeyLength, `tag keys must be at most ${maxTagKeyLength} characters`)
        .regex(
          tagKeyPattern,
          `tag keys may contain only what this provider accepts (${tagKeyPattern.source})`,
        ),
      z
        .string()
        .max(maxTagValueLength, `tag values must be at most ${maxTagValueLength} characters`)
        .regex(
          tagValuePattern,
          `tag values may contain only what this provider accepts (${tagValuePattern.source})`,
        ),
    )
    .refine((tags) => Object.keys(tags).length <= maxTags, `at most ${maxTags} tags`);
}

const createSchemas = new WeakMap<DriverCapabilities, ReturnType<typeof buildCreateVmSpecSchema>>();

/**
 * The schema of a create request for a driver, with its name rules. Built once per capability manifest: building a
 * zod schema costs far more than checking a value with it.
 */
export function createVmSpecSchema(capabilities: DriverCapabilities) {
  let schema = createSchemas.get(capabilities);
  if (schema === undefined) {
    schema = buildCreateVmSpecSchema(capabilities);
    createSchemas.set(capabilities, schema);
  }
  return schema;
}

function buildCreateVmSpecSchema(capabilities: DriverCapabilities) {
  return z
    .strictObject({
      provider: z.string(),
      idempotencyKey: z.string().min(1).max(128).optional(),
      name: z
        .string({ error: 'name must be a string' })
        .min(1, 'name must not be empty')
        .max(capabilities.maxNameLength, `name must be at most ${capabilities.maxNameLength} characters`)
        .regex(
          capabilities.namePattern,
          `name may contain only what this provider accepts (${capabilities.namePattern.source})`,
        ),
      resources: resourcesSchema.optional(),
      size: z.string().min(1, 'size must not be empty').optional(),
      image: z.string().min(1, 'image must not be empty').optional(),
      location: z
        .strictObject({
          region: z.string().min(1).optional(),
          zone: z.string().min(1).optional(),
          hostId: z.string().min(1).optional(),
        })
        .optional(),
      tags: tagsSchema(capabilities).optional(),
      userData: z.string().optional(),
      providerOptions: providerOptionsSchema.optional(),
    })
    .refine((spec) => spec.resources !== undefined || spec.size !== undefined, {
      message: 'give resources or a size',
      path: ['resources'],
    })
    .refine((spec) => spec.location?.hostId === undefined || capabilities.createOnHost, {
      message: 'this provider does not place VMs on a chosen host (capability createOnHost is false)',
      path: ['location', 'hostId'],
    });
}

/** Schema of a VM id on a provider. */
export const vmIdSchema = z.string().min(1, 'the VM id must not be empty');

/** Schema of `vms.stop`'s input: the VM id and the `providerOptions` shape (drivers read their own part). */
export const stopVmInputSchema = z.strictObject({
  id: vmIdSchema,
  providerOptions: providerOptionsSchema.optional(),
});

/** Schema of a VM filter. */
export const vmFilterSchema = z
  .strictObject({
    tags: z.record(z.string(), z.string()).optional(),
    states: z.array(z.enum(VM_STATE_NAMES)).optional(),
    hostId: z.string().optional(),
    zone: z.string().optional(),
    sizes: z.array(z.string()).optional(),
  })
  .optional();
