import { createHash } from 'node:crypto';
import { NovaCronError } from '@novacron/core';

/**
 * A label key: 1 to 63 characters, starting with a lower-case letter (international letters allowed), then lower-case
 * letters, digits, underscores and dashes. Compute Engine's rules, declared as the driver's `tagKeyPattern`.
 */
export const LABEL_KEY_PATTERN = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{Nd}_-]{0,62}$/u;

/** A label value: 0 to 63 lower-case letters, digits, underscores and dashes (international letters allowed). */
export const LABEL_VALUE_PATTERN = /^[\p{Ll}\p{Lo}\p{Nd}_-]{0,63}$/u;

/** The label the driver writes on every instance it makes: a digest of the create's idempotency key. */
export const KEY_LABEL = 'novacron-key';

/** Compute Engine allows 64 labels per instance; the driver keeps one for {@link KEY_LABEL}. */
export const MAX_USER_LABELS = 63;

/**
 * The value of {@link KEY_LABEL} for an idempotency key: 32 hex digits of its SHA-256 (a label value holds 63
 * characters of a narrow alphabet, and a key may be any string).
 */
export function keyLabelValue(idempotencyKey: string): string {
  return createHash('sha256').update(`novacron-gcp:key:${idempotencyKey}`).digest('hex').slice(0, 32);
}

/**
 * A `requestId` for a change: a UUID (Compute Engine's required format; never the zero UUID) derived from `seed`, so
 * that every retry of one create (seed: its idempotency key) or one operation (seed: the pipeline's operation id)
 * sends the same id and Compute Engine answers it with the first Operation instead of acting twice.
 *
 * @example
 * requestIdFor('create:key-1'); // '3b0f...-....-5...-8...-............'
 */
export function requestIdFor(seed: string): string {
  const hex = createHash('sha256').update(`novacron-gcp:request:${seed}`).digest('hex');
  // Shaped as a version-5 UUID (name-based, SHA) with the RFC 4122 variant.
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `5${hex.slice(13, 16)}`,
    `8${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}

/** The user's tags without the driver's own label. */
export function userLabels(labels: Record<string, string> | null | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {})) if (key !== KEY_LABEL) tags[key] = value;
  return tags;
}

/** Refuses a tag the driver keeps for itself, before any request. */
export function assertNoReservedLabel(tags: Record<string, string> | undefined): void {
  if (tags !== undefined && Object.hasOwn(tags, KEY_LABEL)) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: `tags.${KEY_LABEL}`,
      message: `The label '${KEY_LABEL}' is written by the GCP driver to make creates idempotent; use another tag key.`,
    });
  }
}
