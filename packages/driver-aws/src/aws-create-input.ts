import type { RunInstancesCommandInput, Tag } from '@aws-sdk/client-ec2';
import { type CreateVmSpec, NovaCronError, type Resources } from '@novacron/core';
import { parseProviderOptions } from '@novacron/core/driver';
import { type ZodType, z } from 'zod';
import { clientTokenFor, IDEMPOTENCY_TAG_KEY, idempotencyTagValue } from './aws-idempotency.js';
import { isReservedTagKey, NAME_TAG_KEY } from './aws-instance-map.js';

/** EC2 allows 50 tags per instance; NovaCron writes two (`Name` and the idempotency key). */
export const MAX_USER_TAGS = 48;
/** EC2's user-data limit, counted on the raw text before base64 encoding. */
export const MAX_USER_DATA_BYTES = 16 * 1024;

const AMI_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SSM_IMAGE = /^resolve:ssm:\S+$/;

/**
 * The EC2 extras a create spec may carry in `providerOptions.aws`. Every field is optional and unset by default.
 *
 * @example
 * const spec: CreateVmSpec = {
 *   name: 'web-1', size: 't3.micro', image: 'ami-0abcdef1234567890',
 *   providerOptions: { aws: { keyName: 'ops', securityGroupIds: ['sg-0123'], subnetId: 'subnet-0456' } },
 * };
 */
export interface AwsCreateOptions {
  /** The EC2 key pair to install for SSH. */
  keyName?: string | undefined;
  /** Security group ids (VPC). */
  securityGroupIds?: string[] | undefined;
  /** The subnet to launch into (its zone wins over `location.zone`). */
  subnetId?: string | undefined;
  /** An instance profile name or ARN. */
  iamInstanceProfile?: string | undefined;
  /** A placement group name. */
  placementGroup?: string | undefined;
  /** Launch with hibernation configured, so `stop` with `hibernate` works later. */
  hibernation?: boolean | undefined;
  /** Launch EBS-optimized. */
  ebsOptimized?: boolean | undefined;
  /** Anything else `RunInstances` takes (block devices, metadata options...), merged last. */
  runInstances?: Partial<RunInstancesCommandInput> | undefined;
}

const name = z.string().min(1, 'must be a non-empty string');
/** `providerOptions.aws` of a create: unknown keys are refused (a typo must not be ignored). */
const awsCreateOptionsSchema: ZodType<AwsCreateOptions> = z.strictObject({
  keyName: name.optional(),
  securityGroupIds: z.array(name, 'must be an array of security group ids').optional(),
  subnetId: name.optional(),
  iamInstanceProfile: name.optional(),
  placementGroup: name.optional(),
  hibernation: z.boolean().optional(),
  ebsOptimized: z.boolean().optional(),
  runInstances: z
    .custom<Partial<RunInstancesCommandInput>>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      'must be an object of RunInstances fields',
    )
    .optional(),
});

/** A create spec checked against EC2's own rules, ready to turn into `RunInstances` input once the type is known. */
export interface ValidatedCreate {
  /** The `Name` tag. */
  name: string;
  /** The instance type asked for, if any (else it is chosen from `resources`). */
  size?: string | undefined;
  /** The resources asked for, if any. */
  resources?: Resources | undefined;
  /** The AMI id or `resolve:ssm:` parameter. */
  image: string;
  /** The zone asked for, if any. */
  zone?: string | undefined;
  /** User tags. */
  tags: Record<string, string>;
  /** User data, raw. */
  userData?: string | undefined;
  /** The EC2 extras. */
  aws: AwsCreateOptions;
}

/**
 * Checks a create spec against what EC2 defines, before any call is made: the image (an AMI id or an SSM parameter,
 * or the driver's default image), the region and its zones, tag keys EC2 and NovaCron reserve, the user-data size,
 * and the `providerOptions.aws` fields. The core has checked the rest of the contract already (name, resources, tag
 * counts and lengths, `location.hostId` against the capabilities, the shape of `providerOptions`); whether the
 * instance type exists is one look-up made by the driver.
 *
 * @throws NovaCronError INVALID_ARGUMENT whose `field` names the offending field.
 */
export function validateCreateSpec(
  spec: CreateVmSpec,
  region: string,
  defaultImage: string | undefined,
): ValidatedCreate {
  const invalid = (field: string, message: string): NovaCronError =>
    new NovaCronError({ code: 'INVALID_ARGUMENT', field, message: `Invalid EC2 create spec: ${message}` });

  const image = spec.image ?? defaultImage;
  if (image === undefined) {
    throw invalid(
      'image',
      'give image (an AMI id such as ami-0abcdef1234567890) or the driver option defaultImage.',
    );
  }
  if (!(AMI_ID.test(image) || SSM_IMAGE.test(image))) {
    throw invalid(
      'image',
      `'${image}' is not an AMI id: expected ami- followed by 8 or 17 hex digits, or resolve:ssm:<parameter>.`,
    );
  }
  if (spec.location?.region !== undefined && spec.location.region !== region) {
    throw invalid(
      'location.region',
      `this driver serves ${region}, not ${spec.location.region}; use a driver created for that region.`,
    );
  }
  const zone = spec.location?.zone;
  if (zone !== undefined && !zone.startsWith(region)) {
    throw invalid('location.zone', `zone ${zone} is not in region ${region}.`);
  }
  const tags = spec.tags ?? {};
  for (const key of Object.keys(tags)) {
    if (isReservedTagKey(key)) {
      throw invalid(
        `tags.${key}`,
        `tag key '${key}' is reserved (Name comes from spec.name; novacron: and aws: are system prefixes).`,
      );
    }
  }
  if (spec.userData !== undefined) {
    const bytes = Buffer.byteLength(spec.userData, 'utf8');
    if (bytes > MAX_USER_DATA_BYTES) {
      throw invalid(
        'userData',
        `user data is ${bytes} bytes; EC2 allows ${MAX_USER_DATA_BYTES} (16 KiB) before base64 encoding.`,
      );
    }
  }
  return {
    name: spec.name,
    size: spec.size,
    resources: spec.resources,
    image,
    zone,
    tags: { ...tags },
    userData: spec.userData,
    aws: parseProviderOptions('aws', spec.providerOptions, awsCreateOptionsSchema) ?? {},
  };
}

/**
 * Builds the `RunInstances` input for a validated spec: `count` instances (default 1), tagged with the name, the user
 * tags and the idempotency key, with a `ClientToken` derived from that key.
 *
 * @example
 * buildRunInstancesInput(validated, 't3.micro', 'op-1').ClientToken; // clientTokenFor('op-1')
 */
export function buildRunInstancesInput(
  create: ValidatedCreate,
  instanceType: string,
  idempotencyKey: string,
  count = 1,
): RunInstancesCommandInput {
  const tags: Tag[] = [
    { Key: NAME_TAG_KEY, Value: create.name },
    { Key: IDEMPOTENCY_TAG_KEY, Value: idempotencyTagValue(idempotencyKey) },
    ...Object.entries(create.tags).map(([Key, Value]) => ({ Key, Value })),
  ];
  const input: RunInstancesCommandInput = {
    ImageId: create.image,
    InstanceType: instanceType as RunInstancesCommandInput['InstanceType'],
    MinCount: count,
    MaxCount: count,
    ClientToken: clientTokenFor(idempotencyKey),
    TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
  };
  const { aws } = create;
  if (create.userData !== undefined) input.UserData = Buffer.from(create.userData, 'utf8').toString('base64');
  if (create.zone !== undefined || aws.placementGroup !== undefined) {
    input.Placement = {
      ...(create.zone === undefined ? {} : { AvailabilityZone: create.zone }),
      ...(aws.placementGroup === undefined ? {} : { GroupName: aws.placementGroup }),
    };
  }
  if (aws.keyName !== undefined) input.KeyName = aws.keyName;
  if (aws.securityGroupIds !== undefined) input.SecurityGroupIds = [...aws.securityGroupIds];
  if (aws.subnetId !== undefined) input.SubnetId = aws.subnetId;
  if (aws.iamInstanceProfile !== undefined) {
    input.IamInstanceProfile = aws.iamInstanceProfile.startsWith('arn:')
      ? { Arn: aws.iamInstanceProfile }
      : { Name: aws.iamInstanceProfile };
  }
  if (aws.hibernation !== undefined) input.HibernationOptions = { Configured: aws.hibernation };
  if (aws.ebsOptimized !== undefined) input.EbsOptimized = aws.ebsOptimized;
  const extra = aws.runInstances;
  if (extra === undefined) return input;
  // The extras may add fields and tag other resources (volumes), but never replace what idempotency relies on.
  return {
    ...input,
    ...extra,
    MinCount: count,
    MaxCount: count,
    ClientToken: input.ClientToken,
    TagSpecifications: [
      ...(input.TagSpecifications ?? []),
      ...(extra.TagSpecifications ?? []).filter((specification) => specification.ResourceType !== 'instance'),
    ],
  };
}
