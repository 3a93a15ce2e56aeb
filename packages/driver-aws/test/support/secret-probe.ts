import { findSecrets } from '@novacron/core/testing';

/** Recognisable fake credentials: moto accepts any, and no real key looks like these. */
export const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIANOVACRONFAKE0001',
  secretAccessKey: 'novacronFakeSecret0001/DoNotUse+xYz',
  sessionToken: 'FAKESESSIONTOKENnovacron0001',
} as const;

/** Taken once, at load: the SDK marks a credentials object it is handed (it adds a `$source` record to it). */
const SECRETS: readonly string[] = Object.values(FAKE_CREDENTIALS);

/** Every way `value` reveals one of {@link FAKE_CREDENTIALS} (core's `findSecrets`). */
export function credentialLeaks(value: unknown): string[] {
  return findSecrets(value, SECRETS);
}
