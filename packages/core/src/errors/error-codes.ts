/**
 * The stable error codes of NovaCron. Codes are public API and never change meaning; messages may change.
 *
 * | code | meaning | retryable by default |
 * |---|---|---|
 * | `NOT_FOUND` | the VM, host or other thing does not exist | no |
 * | `ALREADY_EXISTS` | a thing with that name exists | no |
 * | `INVALID_ARGUMENT` | bad input; `field` names it | no |
 * | `UNSUPPORTED` | the driver lacks the capability | no |
 * | `QUOTA_EXCEEDED` | an account limit was hit | no |
 * | `NO_CAPACITY` | no host or zone has room | no |
 * | `THROTTLED` | the provider asked us to slow down | yes |
 * | `CONFLICT` | the thing is in the wrong state for the operation | no |
 * | `TIMEOUT` | the operation or wait took too long | yes |
 * | `ABORTED` | the caller cancelled | no |
 * | `AUTH` | credentials missing or refused | no |
 * | `UNAVAILABLE` | the provider could not be reached or failed transiently | yes |
 * | `PROVIDER` | any other provider failure | no |
 */
export const ERROR_CODES = [
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'INVALID_ARGUMENT',
  'UNSUPPORTED',
  'QUOTA_EXCEEDED',
  'NO_CAPACITY',
  'THROTTLED',
  'CONFLICT',
  'TIMEOUT',
  'ABORTED',
  'AUTH',
  'UNAVAILABLE',
  'PROVIDER',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes that are worth retrying unless the thrower says otherwise. */
export const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'THROTTLED',
  'TIMEOUT',
  'UNAVAILABLE',
]);
