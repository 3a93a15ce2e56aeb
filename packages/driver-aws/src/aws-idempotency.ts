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
