import { createHash } from 'node:crypto';

/** The tag every NovaCron-made instance carries, holding the create's idempotency key. */
export const IDEMPOTENCY_TAG_KEY = 'novacron:idempotency-key';

/**
 * The EC2 `ClientToken` for an idempotency key: a hash of the key (EC2 allows 64 ASCII characters), so the same key
 * always yields the same token and real EC2 answers a repeated `RunInstances` with the instance it already made.
 *
 * @example
 * clientTokenFor('op-123'); // 'nc-' followed by 43 base64url characters
 */
export function clientTokenFor(idempotencyKey: string): string {
  return `nc-${createHash('sha256').update(idempotencyKey, 'utf8').digest('base64url')}`;
}

/**
 * The value of the {@link IDEMPOTENCY_TAG_KEY} tag: the key itself when it fits in a tag value (256 characters),
 * else its client token, so lookups by tag always find what was written.
 */
export function idempotencyTagValue(idempotencyKey: string): string {
  return idempotencyKey.length <= 256 ? idempotencyKey : clientTokenFor(idempotencyKey);
}

/** What a create asked for that EC2 itself compares on a repeated `ClientToken`. */
export interface LaunchedSpec {
  /** The `Name` tag. */
  name: string;
  /** The user's tags. */
  tags: Readonly<Record<string, string>>;
  /** The instance type launched. */
  instanceType: string;
  /** The AMI id, or a `resolve:ssm:` parameter (which is not compared: the AMI behind it may change). */
  image: string;
}

/**
 * Whether an instance found by its idempotency tag is what `spec` asks for: the same name, tags, instance type and
 * AMI. EC2 answers a repeated `ClientToken` with other parameters by `IdempotentParameterMismatch`; this is the same
 * rule for the look-up by tag (which moto, and a retry after the token expired, rely on).
 */
export function launchedAsSpecified(
  instance: {
    InstanceType?: string | undefined;
    ImageId?: string | undefined;
    Tags?: { Key?: string | undefined; Value?: string | undefined }[] | undefined;
  },
  spec: LaunchedSpec,
): boolean {
  const tags = new Map<string, string>();
  for (const tag of instance.Tags ?? []) if (tag.Key !== undefined) tags.set(tag.Key, tag.Value ?? '');
  if (tags.get('Name') !== spec.name || instance.InstanceType !== spec.instanceType) return false;
  if (!spec.image.startsWith('resolve:ssm:') && instance.ImageId !== spec.image) return false;
  const userTags = [...tags.keys()].filter(
    (key) => key !== 'Name' && !key.startsWith('novacron:') && !key.startsWith('aws:'),
  );
  const wanted = Object.keys(spec.tags);
  return userTags.length === wanted.length && wanted.every((key) => tags.get(key) === spec.tags[key]);
}
