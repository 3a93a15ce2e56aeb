import { NovaCronError, type SpanAttributes } from '@novacron/core';
import type { Attributes } from '@opentelemetry/api';

// Attribute names. `cloud.*` and `error.type` are OpenTelemetry semantic conventions (cloud.* is still incubating,
// so the names are written here, as the conventions advise, rather than imported from the incubating entry point);
// everything NovaCron-specific is under `novacron.`.

/** The driver's kind, which NovaCron's cloud drivers name after semconv's values (`aws`, `azure`, `gcp`). */
export const ATTR_CLOUD_PROVIDER = 'cloud.provider';
/** The region the provider's driver serves, where it declares one. */
export const ATTR_CLOUD_REGION = 'cloud.region';
/** The `NovaCronError` code of a failure (`THROTTLED`), or the class name of anything else (`TypeError`). */
export const ATTR_ERROR_TYPE = 'error.type';
/** The HTTP status of a failed attempt, where the driver knows it. */
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
/** The operation (`vms.create`). */
export const ATTR_OPERATION = 'novacron.operation';
/** The pipeline's id of the operation, as in `operation.*` events. */
export const ATTR_OPERATION_ID = 'novacron.operation_id';
/** The provider name the client gave the driver instance (`aws-prod`). */
export const ATTR_PROVIDER = 'novacron.provider';
/** The attempt (1 for the first), on attempt spans and retry events. */
export const ATTR_ATTEMPT = 'novacron.attempt';
/** Attempts made in all, on the operation's span when it ends. */
export const ATTR_ATTEMPTS = 'novacron.attempts';
/** A create's idempotency key: the same on every attempt; the AWS driver also tags the instance with it. */
export const ATTR_IDEMPOTENCY_KEY = 'novacron.idempotency_key';
/** The wait before the next attempt, in milliseconds, on retry events. */
export const ATTR_RETRY_DELAY_MS = 'novacron.retry.delay_ms';
/** How long the provider asked to wait (Retry-After), in milliseconds, where it said. */
export const ATTR_RETRY_AFTER_MS = 'novacron.retry.after_ms';

/** The span event of a retry decision, on the operation's span. */
export const EVENT_RETRY = 'novacron.retry';
/** The span event of a throttled attempt, on the attempt's span. */
export const EVENT_THROTTLED = 'novacron.throttled';

/**
 * The low-cardinality attributes of an operation: on its span, on its attempts' spans and on its metrics. Never the
 * operation's input.
 */
export function operationAttributes(name: string, attributes: SpanAttributes): Attributes {
  const result: Attributes = {
    [ATTR_OPERATION]: name,
    [ATTR_PROVIDER]: attributes.provider,
    [ATTR_CLOUD_PROVIDER]: attributes.driverKind,
  };
  if (attributes.region !== undefined) result[ATTR_CLOUD_REGION] = attributes.region;
  return result;
}

/** `error.type` of a failure: the NovaCronError code, else the error's class name. */
export function errorType(error: Error): string {
  return NovaCronError.isInstance(error) ? error.code : error.name;
}
