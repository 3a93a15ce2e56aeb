import type { RunInstancesCommandInput, Tag } from '@aws-sdk/client-ec2';
import { type CreateVmSpec, NovaCronError, type Resources } from '@novacron/core';
import { clientTokenFor, IDEMPOTENCY_TAG_KEY, idempotencyTagValue } from './aws-idempotency.js';
import { isReservedTagKey, NAME_TAG_KEY } from './aws-instance-map.js';

/** EC2 allows 50 tags per instance; NovaCron uses two (`Name` and the idempotency key). */
export const MAX_USER_TAGS = 48;
/** EC2's user-data limit, counted on the raw text before base64 encoding. */
export const MAX_USER_DATA_BYTES = 16 * 1024;

const AMI_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SSM_IMAGE = /^resolve:ssm:\S+$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

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

/** A validated create spec, ready to turn into `RunInstances` input once the instance type is known. */
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

const AWS_OPTION_KEYS = new Set([
  'keyName',
  'securityGroupIds',
  'subnetId',
  'iamInstanceProfile',
  'placementGroup',
  'hibernation',
  'ebsOptimized',
  'runInstances',
]);

/**
 * Checks a create spec against EC2's rules before any call is made: instance-type and AMI-id shapes, tag count and
 * lengths, user-data size, region and zone, and the `providerOptions.aws` fields.
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

  if (typeof spec.name !== 'string' || spec.name.length === 0 || spec.name.length > 256) {
    throw invalid('name', 'name must be 1 to 256 characters (it becomes the Name tag).');
  }
  if (spec.size === undefined && spec.resources === undefined) {
    throw invalid('size', `give size (an instance type such as 't3.micro') or resources.`);
  }
  if (spec.size !== undefined && (typeof spec.size !== 'string' || !INSTANCE_TYPE.test(spec.size))) {
    throw invalid(
      'size',
      `'${String(spec.size)}' is not an EC2 instance type name (family.size, e.g. 't3.micro').`,
    );
  }
  const image = spec.image ?? defaultImage;
  if (image === undefined) {
    throw invalid(
      'image',
      'give image (an AMI id such as ami-0abcdef1234567890) or the driver option defaultImage.',
    );
  }
  if (typeof image !== 'string' || !(AMI_ID.test(image) || SSM_IMAGE.test(image))) {
    throw invalid(
      'image',
      `'${String(image)}' is not an AMI id: expected ami- followed by 8 or 17 hex digits, or resolve:ssm:<parameter>.`,
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
  if (spec.location?.hostId !== undefined) {
    throw invalid(
      'location.hostId',
      'EC2 places instances itself; for a dedicated host pass providerOptions.aws.runInstances.Placement.HostId.',
    );
  }
  const tags = spec.tags ?? {};
  const tagEntries = Object.entries(tags);
  if (tagEntries.length > MAX_USER_TAGS) {
    throw invalid(
      'tags',
      `${tagEntries.length} tags given; EC2 allows 50 per instance and NovaCron uses 2 (Name and ${IDEMPOTENCY_TAG_KEY}), so at most ${MAX_USER_TAGS}.`,
    );
  }
  for (const [key, value] of tagEntries) {
    if (key.length === 0 || key.length > 128)
      throw invalid(`tags.${key}`, 'tag keys must be 1 to 128 characters.');
    if (isReservedTagKey(key)) {
      throw invalid(
        `tags.${key}`,
        `tag key '${key}' is reserved (Name comes from spec.name; novacron: and aws: are system prefixes).`,
      );
    }
    if (typeof value !== 'string' || value.length > 256) {
      throw invalid(`tags.${key}`, 'tag values must be strings of at most 256 characters.');
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
  const aws = validateAwsOptions(spec.providerOptions?.aws, invalid);
  return {
    name: spec.name,
    size: spec.size,
    resources: spec.resources,
    image,
    zone,
    tags: { ...tags },
    userData: spec.userData,
    aws,
  };
}

function validateAwsOptions(
  value: Record<string, unknown> | undefined,
  invalid: (field: string, message: string) => NovaCronError,
): AwsCreateOptions {
  if (value === undefined) return {};
  for (const key of Object.keys(value)) {
    if (!AWS_OPTION_KEYS.has(key)) {
      throw invalid(
        `providerOptions.aws.${key}`,
        `unknown option; known ones are ${[...AWS_OPTION_KEYS].join(', ')}.`,
      );
    }
  }
  for (const key of ['keyName', 'subnetId', 'iamInstanceProfile', 'placementGroup'] as const) {
    if (value[key] !== undefined && (typeof value[key] !== 'string' || value[key] === '')) {
      throw invalid(`providerOptions.aws.${key}`, 'must be a non-empty string.');
    }
  }
  for (const key of ['hibernation', 'ebsOptimized'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'boolean') {
      throw invalid(`providerOptions.aws.${key}`, 'must be a boolean.');
    }
  }
  const groups = value.securityGroupIds;
  if (groups !== undefined && (!Array.isArray(groups) || groups.some((group) => typeof group !== 'string'))) {
    throw invalid('providerOptions.aws.securityGroupIds', 'must be an array of security group ids.');
  }
  const runInstances = value.runInstances;
  if (runInstances !== undefined && (typeof runInstances !== 'object' || runInstances === null)) {
    throw invalid('providerOptions.aws.runInstances', 'must be an object of RunInstances fields.');
  }
  return value as AwsCreateOptions;
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
