import { isRestError } from '@azure/arm-compute';
import type { ErrorCode, NovaCronError } from '@novacron/core';
import { createErrorMapper, type ProviderFailure } from '@novacron/core/driver';

/** Where an ARM failure happened, to name it in the message. */
export interface AzureErrorContext {
  /** What was being done (`virtualMachines.powerOff`). */
  action: string;
  /** The subscription the driver serves. */
  subscriptionId: string;
  /** The VM (or NIC) involved, where one is. */
  resource?: string | undefined;
}

/** ARM and resource-provider error codes that mean something NovaCron has a code for. */
const BY_ARM_CODE: Record<string, { code: ErrorCode; field?: string }> = {
  ResourceNotFound: { code: 'NOT_FOUND' },
  NotFound: { code: 'NOT_FOUND' },
  ResourceGroupNotFound: { code: 'NOT_FOUND' },
  TooManyRequests: { code: 'THROTTLED' },
  SubscriptionRequestsThrottled: { code: 'THROTTLED' },
  Conflict: { code: 'CONFLICT' },
  OperationNotAllowed: { code: 'CONFLICT' },
  PropertyChangeNotAllowed: { code: 'CONFLICT' },
  QuotaExceeded: { code: 'QUOTA_EXCEEDED' },
  SkuNotAvailable: { code: 'NO_CAPACITY', field: 'size' },
  AllocationFailed: { code: 'NO_CAPACITY' },
  ZonalAllocationFailed: { code: 'NO_CAPACITY' },
  OverconstrainedAllocationRequest: { code: 'NO_CAPACITY' },
  AuthenticationFailed: { code: 'AUTH' },
  AuthorizationFailed: { code: 'AUTH' },
  InvalidAuthenticationToken: { code: 'AUTH' },
  InvalidParameter: { code: 'INVALID_ARGUMENT' },
  InvalidRequestContent: { code: 'INVALID_ARGUMENT' },
  InvalidRequestFormat: { code: 'INVALID_ARGUMENT' },
  InvalidResourceReference: { code: 'INVALID_ARGUMENT' },
  ImageNotFound: { code: 'INVALID_ARGUMENT', field: 'image' },
  PlatformImageNotFound: { code: 'INVALID_ARGUMENT', field: 'image' },
  InternalServerError: { code: 'UNAVAILABLE' },
  ServiceUnavailable: { code: 'UNAVAILABLE' },
  GatewayTimeout: { code: 'UNAVAILABLE' },
};

const HINTS: Partial<Record<ErrorCode, string>> = {
  NOT_FOUND: 'Check the VM name and the resource group, or list VMs to find it.',
  THROTTLED:
    'Resource Manager is rate-limiting this subscription; the NovaCron pipeline retries after Retry-After.',
  CONFLICT: 'Wait for the VM to reach a state that allows this action (see its state), then retry.',
  QUOTA_EXCEEDED:
    "Raise the subscription's vCPU quota for this region and size family, or use a smaller size.",
  NO_CAPACITY: 'Try another region, zone or size, or retry later.',
  AUTH: 'Check the credential given to createAzureDriver and its role assignment on the subscription.',
  UNAVAILABLE: 'Resource Manager failed transiently; the NovaCron pipeline retries it.',
  INVALID_ARGUMENT: 'Fix the request and try again.',
};

/**
 * A failed long-running operation arrives as a bare `Error` whose ARM code is only in its message text:
 * `@azure/core-lro` writes `The long-running operation has failed. <code>. <message>`; a JSON body or `code: X` in
 * other messages is read too.
 */
const CODE_IN_MESSAGE =
  /^The long-running operation has failed\. ([A-Za-z][\w.]*?)\. |"code"\s*:\s*"([A-Za-z.]+)"|\b(?:code|Code)[:=]\s*'?([A-Za-z.]+)'?/;

function codeFor(armCode: string | undefined, statusCode: number | undefined, message: string) {
  const mapped = armCode === undefined ? undefined : BY_ARM_CODE[armCode];
  // Compute answers a quota breach with OperationNotAllowed (409) and a message about the quota.
  if (/quota/i.test(message) && (armCode === 'OperationNotAllowed' || statusCode === 409)) {
    return { code: 'QUOTA_EXCEEDED' as ErrorCode };
  }
  if (mapped !== undefined) return mapped;
  if (statusCode === 404) return { code: 'NOT_FOUND' as ErrorCode };
  if (statusCode === 409) return { code: 'CONFLICT' as ErrorCode };
  if (statusCode === 429) return { code: 'THROTTLED' as ErrorCode };
  if (statusCode === 401 || statusCode === 403) return { code: 'AUTH' as ErrorCode };
  if (statusCode === 400) return { code: 'INVALID_ARGUMENT' as ErrorCode };
  if (statusCode !== undefined && statusCode >= 500) return { code: 'UNAVAILABLE' as ErrorCode };
  return { code: 'PROVIDER' as ErrorCode };
}

/** What `@azure/identity` throws when no token could be had: no credential source, or a refused one. */
const IDENTITY_ERRORS = new Set([
  'AggregateAuthenticationError',
  'CredentialUnavailableError',
  'AuthenticationError',
]);

/**
 * Reads an ARM failure: a `RestError` by its ARM code (else its HTTP status), a failed operation's message, or a
 * credential that gave no token (`AUTH`, with the ways to give one; the identity library's own text, which can
 * quote configuration, is left out).
 */
export function classifyAzureError(error: unknown): ProviderFailure | undefined {
  if (error instanceof Error && IDENTITY_ERRORS.has(error.name)) {
    return {
      code: 'AUTH',
      providerCode: error.name,
      message:
        'no token for Resource Manager: the credential (DefaultAzureCredential when none is given) found no working source. Sign in with az login, set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a managed or workload identity), or pass a credential to createAzureDriver.',
    };
  }
  if (isRestError(error)) {
    const statusCode = error.statusCode;
    const headers = error.response?.headers;
    const retryAfterSeconds = Number(headers?.get('retry-after') ?? Number.NaN);
    const armCode = typeof error.code === 'string' ? error.code : undefined;
    // No HTTP status: the request never got an answer (a dropped connection, `ECONNRESET`); the toolkit reads it
    // as the network failure it is.
    if (statusCode === undefined && (armCode === undefined || BY_ARM_CODE[armCode] === undefined))
      return undefined;
    const mapped = codeFor(armCode, statusCode, error.message);
    return {
      ...mapped,
      message: error.message,
      providerCode: armCode,
      statusCode,
      requestId: headers?.get('x-ms-request-id') ?? undefined,
      retryAfterMs: Number.isFinite(retryAfterSeconds) ? retryAfterSeconds * 1000 : undefined,
    };
  }
  if (error instanceof Error && (error as { code?: unknown }).code === undefined) {
    const found = CODE_IN_MESSAGE.exec(error.message);
    const armCode = found?.[1] ?? found?.[2] ?? found?.[3];
    if (armCode !== undefined) {
      return { ...codeFor(armCode, undefined, error.message), message: error.message, providerCode: armCode };
    }
  }
  return undefined;
}

const mapAzureError = createErrorMapper<AzureErrorContext>({
  driver: 'azure',
  describe: ({ action, resource, subscriptionId }) =>
    `${action}${resource === undefined ? '' : ` on ${resource}`} in Azure subscription ${subscriptionId}`,
  classify: classifyAzureError,
  hints: HINTS,
});

/**
 * Turns anything an SDK call threw into a {@link NovaCronError} through the toolkit's error mapper: ARM's code picks
 * the NovaCron code (`ResourceNotFound` is `NOT_FOUND`, 429 is `THROTTLED` with its `Retry-After`, a quota breach is
 * `QUOTA_EXCEEDED`, 5xx is `UNAVAILABLE`); the SDK's error, which holds the request and its bearer token, is dropped.
 *
 * @example
 * try { await compute.virtualMachines.get(group, name, { abortSignal: signal }); }
 * catch (error) { throw toAzureNovaCronError(error, { action: 'virtualMachines.get', subscriptionId }, signal); }
 */
export function toAzureNovaCronError(
  error: unknown,
  context: AzureErrorContext,
  signal?: AbortSignal,
): NovaCronError {
  return mapAzureError(error, context, signal);
}
