import type { ZodType } from 'zod';
import { NovaCronError } from '../errors/novacron-error.js';

/**
 * Reads a driver's own part of a request's `providerOptions` (`providerOptions[kind]`) against the driver's schema.
 * Options for other kinds are left alone (one request may carry options for several drivers); the core has already
 * checked that `providerOptions` is an object of objects.
 *
 * @returns the parsed options, or `undefined` when the request carries none for `kind`.
 * @throws NovaCronError `INVALID_ARGUMENT` whose `field` is the bad option's path (`providerOptions.aws.keyName`).
 *
 * @example
 * const schema = z.object({ placementGroup: z.string().optional() }).strict();
 * const options = parseProviderOptions('aws', request.providerOptions, schema);
 */
export function parseProviderOptions<T>(
  kind: string,
  providerOptions: Readonly<Record<string, unknown>> | undefined,
  schema: ZodType<T>,
): T | undefined {
  const own = providerOptions?.[kind];
  if (own === undefined) return undefined;
  const parsed = schema.safeParse(own);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = ['providerOptions', kind, ...(issue?.path ?? []).map(String)].join('.');
  const unknownKeys =
    issue?.code === 'unrecognized_keys' ? ` (unknown: ${(issue.keys as string[]).join(', ')})` : '';
  throw new NovaCronError({
    code: 'INVALID_ARGUMENT',
    field: path,
    message: `${path} is not valid for the ${kind} driver: ${issue?.message ?? 'invalid'}${unknownKeys}. See the ${kind} driver's README for its provider options.`,
  });
}
