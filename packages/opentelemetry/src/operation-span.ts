import { NovaCronError, type Span, type SpanAttributes, type SpanRetry } from '@novacron/core';
import {
  type Attributes,
  type Context,
  context,
  type Span as OtelSpan,
  type Tracer as OtelTracer,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_ATTEMPT,
  ATTR_ATTEMPTS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_IDEMPOTENCY_KEY,
  ATTR_OPERATION_ID,
  ATTR_RETRY_AFTER_MS,
  ATTR_RETRY_DELAY_MS,
  EVENT_RETRY,
  EVENT_THROTTLED,
  errorType,
  operationAttributes,
} from './telemetry-attributes.js';
import type { OperationInstruments } from './telemetry-metrics.js';

/**
 * One NovaCron operation seen by OpenTelemetry: its span (a child of whatever was active when the call was made),
 * a child span per attempt made active around the driver call, retry decisions as events, and its duration and
 * attempts recorded when it ends.
 */
export class OperationSpan implements Span {
  /** The caller's context when the operation started: the parent of everything this operation traces. */
  private readonly parent: Context;
  private readonly span: OtelSpan;
  /** `novacron.operation`, `novacron.provider`, `cloud.*`: shared by the spans and the metrics. */
  private readonly common: Attributes;
  private readonly started = performance.now();
  private attempts = 0;

  constructor(
    private readonly tracer: OtelTracer,
    private readonly instruments: OperationInstruments,
    private readonly name: string,
    attributes: SpanAttributes,
  ) {
    this.parent = context.active();
    this.common = operationAttributes(name, attributes);
    const own: Attributes = { ...this.common, [ATTR_OPERATION_ID]: attributes.operationId };
    if (attributes.idempotencyKey !== undefined) own[ATTR_IDEMPOTENCY_KEY] = attributes.idempotencyKey;
    this.span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes: own }, this.parent);
  }

  /**
   * Runs one attempt under its own span, made the active context (on top of the caller's, whatever context the
   * provider's queue runs the call in), so the driver's I/O (the cloud SDK's HTTP spans) nests under it.
   */
  attempt<TResult>(attempt: number, run: () => Promise<TResult>): Promise<TResult> {
    this.attempts += 1;
    const span = this.tracer.startSpan(
      `${this.name} attempt`,
      { kind: SpanKind.INTERNAL, attributes: { ...this.common, [ATTR_ATTEMPT]: attempt } },
      trace.setSpan(this.parent, this.span),
    );
    const fail = (error: unknown): never => {
      failAttempt(span, error);
      throw error;
    };
    let result: Promise<TResult>;
    try {
      result = context.with(trace.setSpan(this.parent, span), run);
    } catch (error) {
      return fail(error);
    }
    return result.then((value) => {
      span.end();
      return value;
    }, fail);
  }

  /** Records the retry decision on the operation's span. */
  retry(retry: SpanRetry): void {
    const attributes: Attributes = {
      [ATTR_ATTEMPT]: retry.attempt,
      [ATTR_ERROR_TYPE]: retry.error.code,
      [ATTR_RETRY_DELAY_MS]: Math.round(retry.delayMs),
    };
    if (retry.error.retryAfterMs !== undefined) attributes[ATTR_RETRY_AFTER_MS] = retry.error.retryAfterMs;
    this.span.addEvent(EVENT_RETRY, attributes);
  }

  /** Ends the operation's span (ERROR, with the exception, on failure) and records its metrics. */
  end(error?: Error): void {
    this.span.setAttribute(ATTR_ATTEMPTS, this.attempts);
    let metricAttributes = this.common;
    if (error !== undefined) {
      const type = errorType(error);
      this.span.recordException(error);
      this.span.setAttribute(ATTR_ERROR_TYPE, type);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      metricAttributes = { ...this.common, [ATTR_ERROR_TYPE]: type };
    }
    this.span.end();
    this.instruments.duration.record((performance.now() - this.started) / 1_000, metricAttributes);
    this.instruments.attempts.record(this.attempts, metricAttributes);
  }
}

/** Marks an attempt's span failed (a throttled one also gets a `novacron.throttled` event) and ends it. */
function failAttempt(span: OtelSpan, thrown: unknown): void {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  if (NovaCronError.isInstance(error) && error.code === 'THROTTLED') {
    const attributes: Attributes = {};
    if (error.retryAfterMs !== undefined) attributes[ATTR_RETRY_AFTER_MS] = error.retryAfterMs;
    if (error.statusCode !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = error.statusCode;
    span.addEvent(EVENT_THROTTLED, attributes);
  }
  span.recordException(error);
  span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.end();
}
