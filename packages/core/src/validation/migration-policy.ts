import { z } from 'zod';
import { NovaCronError } from '../errors/novacron-error.js';
import type { MigrationPolicy } from '../model/migration.js';

const positive = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .refine((value) => Number.isFinite(value) && value > 0, `${what} must be a finite number greater than 0`);

/** Schema of {@link MigrationPolicy}: every number finite and positive, a known `onTimeout`, nothing else. */
const migrationPolicySchema = z.strictObject({
  bandwidthMiBps: positive('bandwidthMiBps').optional(),
  maxDowntimeMs: positive('maxDowntimeMs').optional(),
  completionTimeoutMs: positive('completionTimeoutMs').optional(),
  onTimeout: z.enum(['abort', 'postcopy']).optional(),
  autoConverge: z.boolean().optional(),
});

/**
 * Checks a migration policy once, in core, before any driver sees it.
 *
 * @throws NovaCronError `INVALID_ARGUMENT` whose `field` names the bad setting (`policy.bandwidthMiBps`).
 */
export function parseMigrationPolicy(policy: MigrationPolicy | undefined, provider: string): MigrationPolicy {
  const parsed = migrationPolicySchema.safeParse(policy ?? {});
  if (parsed.success) return parsed.data as MigrationPolicy;
  const issue = parsed.error.issues[0];
  const keys = issue?.code === 'unrecognized_keys' ? (issue.keys as string[]) : [];
  const field = ['policy', ...(issue?.path ?? []).map(String), ...keys.slice(0, 1)].join('.');
  throw new NovaCronError({
    code: 'INVALID_ARGUMENT',
    field,
    provider,
    operation: 'migrations.start',
    message: `${field} is not valid: ${issue?.message ?? 'invalid'}. Nothing was started.`,
  });
}
