import { createHash } from 'node:crypto';
import type { CreateVmSpec } from '@novacron/core';
import { NOVACRON_XML_NAMESPACE } from './kvm-domain-xml.js';

/** RFC 4122's URL namespace: name-based UUIDs below are made from a URL-like name in it. */
const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');

/**
 * The domain UUID of the VM a create with this idempotency key makes: a name-based (version 5) UUID of the key.
 * The key decides the UUID, so libvirt itself refuses a second domain for one key on a host, and a retry finds
 * the VM by UUID on any host whatever its name.
 *
 * @example
 * idempotencyUuid('k-1'); // the same UUID on every call and in every process
 */
export function idempotencyUuid(key: string): Buffer {
  const hash = createHash('sha1')
    .update(URL_NAMESPACE)
    .update(`${NOVACRON_XML_NAMESPACE}#idempotency-key=${key}`, 'utf8')
    .digest()
    .subarray(0, 16);
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  return Buffer.from(hash);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * A SHA-256 of what a create asks for (name, resources, size, image, location, tags, user data, provider options),
 * independent of key order: a retry with the same key must ask for the same VM.
 */
export function specSha256(spec: CreateVmSpec): string {
  const { name, resources, size, image, location, tags, userData, providerOptions } = spec;
  const json = JSON.stringify(
    canonical({ name, resources, size, image, location, tags, userData, providerOptions }),
  );
  return createHash('sha256').update(json, 'utf8').digest('hex');
}
