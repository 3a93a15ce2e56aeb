import type { ErrorCode, NovaCronError } from '@novacron/core';
import { createErrorMapper, type ProviderFailure } from '@novacron/core/driver';

/** Where an EC2 failure happened, to name it in the message. */
export interface AwsErrorContext {
  /** What was being done (`StopInstances`, `RunInstances`). */
  action: string;
  /** The AWS region the driver serves. */
  region: string;
  /** The instance involved, where one is. */
  instanceId?: string | undefined;
}

/** EC2's error codes that mean something NovaCron has a code for; `field` names the request field refused. */
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

/** What the driver reads of an AWS SDK error: nothing else of it is kept. */
interface SdkErrorView {
  name?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
  $response?: { headers?: Record<string, string | undefined> };
}

/**
 * Reads an EC2 failure: a service error by its code (else by its HTTP status), a credentials error, or a connection
 * failure that carries no errno code (Node's "socket hang up", a scripted "Network error"). Errors with an errno code
 * (`ECONNRESET`) and anything else are left to the toolkit's defaults.
 */
function classify(error: unknown): ProviderFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const view = error as SdkErrorView;
  if (view.$fault === 'client' || view.$fault === 'server') {
    const statusCode =
      typeof view.$metadata?.httpStatusCode === 'number' ? view.$metadata.httpStatusCode : undefined;
    const mapped = BY_AWS_CODE[error.name];
    const retryAfterSeconds = Number(view.$response?.headers?.['retry-after'] ?? Number.NaN);
    return {
      code: mapped?.code ?? byStatus(statusCode),
      field: mapped?.field,
      message: error.message,
      providerCode: error.name,
      requestId: typeof view.$metadata?.requestId === 'string' ? view.$metadata.requestId : undefined,
      statusCode,
      retryAfterMs: Number.isFinite(retryAfterSeconds) ? retryAfterSeconds * 1000 : undefined,
    };
  }
  if (error.name === 'CredentialsProviderError') {
    return { code: 'AUTH', message: error.message, providerCode: error.name };
  }
  if (
    (error as { code?: unknown }).code === undefined &&
    /socket hang up|network error|fetch failed/i.test(error.message)
  ) {
    return { code: 'UNAVAILABLE', message: error.message };
  }
  return undefined;
}

function byStatus(statusCode: number | undefined): ErrorCode {
  if (statusCode === 429) return 'THROTTLED';
  if (statusCode === 401 || statusCode === 403) return 'AUTH';
  if (statusCode !== undefined && statusCode >= 500) return 'UNAVAILABLE';
  return 'PROVIDER';
}

const mapAwsError = createErrorMapper<AwsErrorContext>({
  driver: 'aws',
  describe: ({ action, instanceId, region }) =>
    `${action}${instanceId === undefined ? '' : ` on instance ${instanceId}`} in AWS region ${region}`,
  classify,
  hints: HINTS,
});

/**
 * Turns anything an EC2 or CloudWatch call threw into a {@link NovaCronError}, through the toolkit's error mapper:
 * EC2's code picks the NovaCron code (`RequestLimitExceeded` is `THROTTLED`, `IncorrectInstanceState` is `CONFLICT`),
 * an aborted `signal` is `TIMEOUT` when its reason is a deadline and `ABORTED` otherwise, and the `cause` keeps only
 * EC2's code, its redacted message, the request id and the HTTP status. The SDK's error is dropped: through its
 * request and client it reaches the signed headers and the credentials.
 *
 * @example
 * try { await client.send(command, { abortSignal: signal }); }
 * catch (error) { throw toAwsNovaCronError(error, { action: 'StopInstances', region }, signal); }
 */
export function toAwsNovaCronError(
  error: unknown,
  context: AwsErrorContext,
  signal?: AbortSignal,
): NovaCronError {
  return mapAwsError(error, context, signal);
}
