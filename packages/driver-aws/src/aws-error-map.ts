import { type ErrorCode, isAbortError, NovaCronError } from '@novacron/core';

/** Where an EC2 failure happened, to name it in the message. */
export interface AwsErrorContext {
  /** What was being done (`StopInstances`, `RunInstances`). */
  action: string;
  /** The AWS region the driver serves. */
  region: string;
  /** The instance involved, where one is. */
  instanceId?: string | undefined;
}

const BY_AWS_CODE: Record<string, { code: ErrorCode; field?: string }> = {
  'InvalidInstanceID.NotFound': { code: 'NOT_FOUND' },
  'InvalidInstanceID.Malformed': { code: 'NOT_FOUND' },
  RequestLimitExceeded: { code: 'THROTTLED' },
  Throttling: { code: 'THROTTLED' },
  ThrottlingException: { code: 'THROTTLED' },
  InsufficientInstanceCapacity: { code: 'NO_CAPACITY' },
  InsufficientHostCapacity: { code: 'NO_CAPACITY' },
  InstanceLimitExceeded: { code: 'QUOTA_EXCEEDED' },
  VcpuLimitExceeded: { code: 'QUOTA_EXCEEDED' },
  MaxSpotInstanceCountExceeded: { code: 'QUOTA_EXCEEDED' },
  IncorrectInstanceState: { code: 'CONFLICT' },
  IncorrectState: { code: 'CONFLICT' },
  IdempotentParameterMismatch: { code: 'CONFLICT' },
  UnauthorizedOperation: { code: 'AUTH' },
  AuthFailure: { code: 'AUTH' },
  InvalidClientTokenId: { code: 'AUTH' },
  SignatureDoesNotMatch: { code: 'AUTH' },
  ExpiredToken: { code: 'AUTH' },
  CredentialsProviderError: { code: 'AUTH' },
  'InvalidAMIID.Malformed': { code: 'INVALID_ARGUMENT', field: 'image' },
  'InvalidAMIID.NotFound': { code: 'INVALID_ARGUMENT', field: 'image' },
  InvalidInstanceType: { code: 'INVALID_ARGUMENT', field: 'size' },
  'InvalidKeyPair.NotFound': { code: 'INVALID_ARGUMENT', field: 'providerOptions.aws.keyName' },
  'InvalidGroup.NotFound': { code: 'INVALID_ARGUMENT', field: 'providerOptions.aws.securityGroupIds' },
  'InvalidSubnetID.NotFound': { code: 'INVALID_ARGUMENT', field: 'providerOptions.aws.subnetId' },
  InvalidParameterValue: { code: 'INVALID_ARGUMENT' },
  InvalidParameterCombination: { code: 'INVALID_ARGUMENT' },
  MissingParameter: { code: 'INVALID_ARGUMENT' },
  InternalError: { code: 'UNAVAILABLE' },
  InternalFailure: { code: 'UNAVAILABLE' },
  ServiceUnavailable: { code: 'UNAVAILABLE' },
  Unavailable: { code: 'UNAVAILABLE' },
};

const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

const HINTS: Partial<Record<ErrorCode, string>> = {
  NOT_FOUND: 'Check the instance id and the region, or list VMs to find it.',
  THROTTLED: 'EC2 is rate-limiting this account; the NovaCron pipeline retries with backoff.',
  NO_CAPACITY: 'Try another availability zone or instance type, or retry later.',
  QUOTA_EXCEEDED: 'Raise the EC2 service quota for this account and region, or use a smaller instance type.',
  CONFLICT: 'Wait for the instance to reach a state that allows this action (see its state), then retry.',
  AUTH: 'Check the AWS credentials (profile, environment, role) and the IAM policy for this action.',
  UNAVAILABLE: 'EC2 could not be reached or failed transiently; the NovaCron pipeline retries it.',
  INVALID_ARGUMENT: 'Fix the request and try again.',
};

/**
 * Turns anything the AWS SDK throws into a {@link NovaCronError} with the code from the issue's table, keeping the
 * SDK error as `cause`. Retryable codes (`THROTTLED`, `UNAVAILABLE`) are retried by the core pipeline; the SDK's own
 * retries are off (`maxAttempts: 1`), so this mapping is the single place that decides what is worth retrying.
 *
 * Messages quote the AWS error code and message, which carry no credentials.
 *
 * @example
 * try { await client.send(command); } catch (error) { throw toAwsNovaCronError(error, { action: 'StopInstances', region }); }
 */
export function toAwsNovaCronError(error: unknown, context: AwsErrorContext): NovaCronError {
  if (NovaCronError.isInstance(error)) return error;
  const where = `${context.action}${context.instanceId === undefined ? '' : ` on instance ${context.instanceId}`} in AWS region ${context.region}`;
  if (isAbortError(error) && !isSocketTimeout(error)) {
    return new NovaCronError({
      code: 'ABORTED',
      message: `${where} was cancelled by the caller.`,
      cause: error,
    });
  }
  const details = describe(error);
  const statusCode = details.statusCode;
  const mapped = details.awsCode === undefined ? undefined : BY_AWS_CODE[details.awsCode];
  let code: ErrorCode;
  if (mapped !== undefined) code = mapped.code;
  else if (details.network) code = 'UNAVAILABLE';
  else if (statusCode === 429) code = 'THROTTLED';
  else if (statusCode !== undefined && statusCode >= 500) code = 'UNAVAILABLE';
  else if (statusCode === 401 || statusCode === 403) code = 'AUTH';
  else code = 'PROVIDER';
  const awsPart = details.awsCode === undefined ? details.message : `${details.awsCode}: ${details.message}`;
  const hint = HINTS[code] ?? 'See the cause for the AWS error.';
  return new NovaCronError({
    code,
    message: `${where} failed (${awsPart}). ${hint}`,
    field: mapped?.field,
    statusCode,
    retryAfterMs: details.retryAfterMs,
    cause: error,
  });
}

interface ErrorDetails {
  awsCode: string | undefined;
  message: string;
  statusCode: number | undefined;
  network: boolean;
  retryAfterMs: number | undefined;
}

function describe(error: unknown): ErrorDetails {
  if (typeof error !== 'object' || error === null) {
    return {
      awsCode: undefined,
      message: String(error),
      statusCode: undefined,
      network: false,
      retryAfterMs: undefined,
    };
  }
  const record = error as {
    name?: unknown;
    Code?: unknown;
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    $response?: { headers?: Record<string, string | undefined> };
  };
  const statusCode =
    typeof record.$metadata?.httpStatusCode === 'number' ? record.$metadata.httpStatusCode : undefined;
  const isServiceError = record.$fault === 'client' || record.$fault === 'server';
  const awsCode =
    typeof record.Code === 'string'
      ? record.Code
      : isServiceError && typeof record.name === 'string'
        ? record.name
        : record.name === 'CredentialsProviderError'
          ? 'CredentialsProviderError'
          : undefined;
  const network =
    !isServiceError &&
    (isNetworkCode(record.code) || isNetworkCode(nestedCode(record.cause)) || isSocketTimeout(error));
  const retryAfter = record.$response?.headers?.['retry-after'];
  const retryAfterSeconds = retryAfter === undefined ? Number.NaN : Number(retryAfter);
  return {
    awsCode,
    message: typeof record.message === 'string' ? record.message : String(error),
    statusCode,
    network:
      network ||
      (!isServiceError && statusCode === undefined && awsCode === undefined && isFetchFailure(error)),
    retryAfterMs: Number.isFinite(retryAfterSeconds) ? retryAfterSeconds * 1000 : undefined,
  };
}

function isNetworkCode(code: unknown): boolean {
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}

function nestedCode(cause: unknown): unknown {
  return typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
}

/** The SDK's request handler reports socket and connection timeouts as `TimeoutError`: transient, not a cancel. */
function isSocketTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError' && !/abort/i.test(error.message);
}

/**
 * A failure before any HTTP response whose error carries no errno code: Node's "socket hang up", undici's
 * "fetch failed", msw's scripted "Network error".
 */
function isFetchFailure(error: unknown): boolean {
  return (
    error instanceof Error &&
    /socket hang up|network error|fetch failed|ECONNRESET|ECONNREFUSED/i.test(error.message)
  );
}
