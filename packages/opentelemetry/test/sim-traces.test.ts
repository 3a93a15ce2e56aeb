import { createNovaCron, type DriverV1, type NovaCron, NovaCronError } from '@novacron/core';
import { createSimDriver, type SimDriver } from '@novacron/driver-sim';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ATTR_ATTEMPT,
  ATTR_ATTEMPTS,
  ATTR_CLOUD_PROVIDER,
  ATTR_ERROR_TYPE,
  ATTR_IDEMPOTENCY_KEY,
  ATTR_OPERATION,
  ATTR_OPERATION_ID,
  ATTR_PROVIDER,
  ATTR_RETRY_AFTER_MS,
  ATTR_RETRY_DELAY_MS,
  createOpenTelemetryTracer,
  EVENT_RETRY,
  EVENT_THROTTLED,
  METRIC_OPERATION_ATTEMPTS,
  METRIC_OPERATION_DURATION,
} from '../src/index.js';
import { childrenOf, named, type OtelHarness, otelHarness } from './support/otel-harness.js';

const small = { vcpus: 1, memoryMiB: 256 };

describe('@novacron/opentelemetry on driver-sim', () => {
  let otel: OtelHarness;
  let nc: NovaCron | undefined;

  beforeAll(() => {
    otel = otelHarness();
  });
  afterEach(async () => {
    await nc?.close();
    nc = undefined;
    otel.reset();
  });
  afterAll(() => otel.shutdown());

  /** A client over a sim driver named 'lab' (not its kind), traced into the harness. */
  function client(driver: DriverV1, maxAttempts = 5): NovaCron {
    nc = createNovaCron({
      providers: { lab: driver },
      limits: { lab: { concurrency: 2, retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 5 } } },
      tracer: createOpenTelemetryTracer({
        tracerProvider: otel.tracerProvider,
        meterProvider: otel.meterProvider,
      }),
    });
    return nc;
  }

  it('makes one span per call and one child per attempt, with semconv and novacron attributes and no input', async () => {
    const nc = client(createSimDriver({ seed: 1, transitionDelayMs: 0 }));
    const vm = await nc.vms.create({
      provider: 'lab',
      name: 'secret-name',
      resources: small,
      idempotencyKey: 'key-1',
      tags: { password: 'hunter2' },
    });
    const [call, ...others] = named(otel.spans(), 'vms.create');
    expect(others).toEqual([]);
    expect(call?.kind).toBe(SpanKind.INTERNAL);
    expect(call?.parentSpanContext).toBeUndefined();
    expect(call?.status.code).toBe(SpanStatusCode.UNSET);
    expect(call?.attributes).toEqual({
      [ATTR_OPERATION]: 'vms.create',
      [ATTR_PROVIDER]: 'lab',
      [ATTR_CLOUD_PROVIDER]: 'sim',
      [ATTR_OPERATION_ID]: expect.any(String),
      [ATTR_IDEMPOTENCY_KEY]: 'key-1',
      [ATTR_ATTEMPTS]: 1,
    });
    const attempts = childrenOf(otel.spans(), call!);
    expect(attempts.map((span) => [span.name, span.attributes[ATTR_ATTEMPT], span.status.code])).toEqual([
      ['vms.create attempt', 1, SpanStatusCode.UNSET],
    ]);
    const everything = JSON.stringify(otel.spans().map((span) => [span.attributes, span.events]));
    expect(everything).not.toContain('secret-name');
    expect(everything).not.toContain('hunter2');
    expect(vm.name).toBe('secret-name');
  });

  it('records throttled attempts, retry events with the delay and Retry-After, and the failure after N attempts', async () => {
    const driver = createSimDriver({
      seed: 2,
      transitionDelayMs: 0,
      faults: { create: { throttleRate: 1, retryAfterMs: 7 } },
    });
    const nc = client(driver, 3);
    const error = await nc.vms
      .create({ provider: 'lab', name: 'never', resources: small })
      .catch((thrown: unknown) => thrown);
    expect(NovaCronError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'THROTTLED', provider: 'lab', attempts: 3 });
    expect((error as Error).message).toMatch(/Gave up after 3 attempts\.$/);

    const [call] = named(otel.spans(), 'vms.create');
    expect(call?.status).toEqual({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    expect(call?.attributes[ATTR_ERROR_TYPE]).toBe('THROTTLED');
    expect(call?.attributes[ATTR_ATTEMPTS]).toBe(3);
    expect(call?.events.find((event) => event.name === 'exception')?.attributes).toMatchObject({
      'exception.type': 'THROTTLED',
      'exception.message': (error as Error).message,
    });
    const retries = call!.events.filter((event) => event.name === EVENT_RETRY);
    expect(retries.map((event) => event.attributes?.[ATTR_ATTEMPT])).toEqual([1, 2]);
    for (const retry of retries) {
      expect(retry.attributes).toMatchObject({ [ATTR_ERROR_TYPE]: 'THROTTLED', [ATTR_RETRY_AFTER_MS]: 7 });
      expect(retry.attributes?.[ATTR_RETRY_DELAY_MS]).toBeGreaterThanOrEqual(7);
    }

    const attempts = childrenOf(otel.spans(), call!);
    expect(attempts.map((span) => span.attributes[ATTR_ATTEMPT])).toEqual([1, 2, 3]);
    for (const attempt of attempts) {
      expect(attempt.status.code).toBe(SpanStatusCode.ERROR);
      expect(attempt.attributes[ATTR_ERROR_TYPE]).toBe('THROTTLED');
      expect(attempt.events.find((event) => event.name === EVENT_THROTTLED)?.attributes).toEqual({
        [ATTR_RETRY_AFTER_MS]: 7,
        'http.response.status_code': 429,
      });
    }

    const duration = await otel.histogram(METRIC_OPERATION_DURATION);
    expect(duration?.descriptor.unit).toBe('s');
    expect(duration?.dataPoints).toHaveLength(1);
    expect(duration?.dataPoints[0]?.attributes).toEqual({
      [ATTR_OPERATION]: 'vms.create',
      [ATTR_PROVIDER]: 'lab',
      [ATTR_CLOUD_PROVIDER]: 'sim',
      [ATTR_ERROR_TYPE]: 'THROTTLED',
    });
    expect(duration?.dataPoints[0]?.value.count).toBe(1);
    expect(duration?.dataPoints[0]?.value.sum).toBeGreaterThanOrEqual(0.014);
    const attemptsMetric = await otel.histogram(METRIC_OPERATION_ATTEMPTS);
    expect(attemptsMetric?.dataPoints[0]?.value).toMatchObject({ count: 1, sum: 3 });
  });

  it('keeps the tree consistent under random throttling and 5xx in a createMany', async () => {
    const driver = createSimDriver({
      seed: 11,
      transitionDelayMs: 0,
      faults: {
        create: { throttleRate: 0.3, errorRate: 0.2, retryAfterMs: 2, latencyMs: { min: 1, max: 3 } },
      },
    });
    const nc = client(driver, 8);
    const result = await nc.vms.createMany(
      Array.from({ length: 12 }, (_, index) => ({
        provider: 'lab',
        name: `many-${index}`,
        resources: small,
      })),
      { concurrency: 6 },
    );
    expect(result.failed).toEqual([]);
    const spans = otel.spans();
    const calls = named(spans, 'vms.create');
    expect(calls).toHaveLength(12);
    let retried = 0;
    for (const call of calls) {
      const attempts = childrenOf(spans, call);
      const count = call.attributes[ATTR_ATTEMPTS] as number;
      expect(attempts.map((span) => span.attributes[ATTR_ATTEMPT])).toEqual(
        Array.from({ length: count }, (_, index) => index + 1),
      );
      expect(attempts.at(-1)?.status.code).toBe(SpanStatusCode.UNSET);
      for (const failed of attempts.slice(0, -1)) expect(failed.status.code).toBe(SpanStatusCode.ERROR);
      expect(call.events.filter((event) => event.name === EVENT_RETRY)).toHaveLength(count - 1);
      retried += count - 1;
    }
    expect(retried).toBeGreaterThan(0);
    const attemptsMetric = await otel.histogram(METRIC_OPERATION_ATTEMPTS);
    expect(attemptsMetric?.dataPoints[0]?.value).toMatchObject({ count: 12, sum: 12 + retried });
  });

  it("runs each driver call inside its own attempt span's context, under the caller's span, whatever the queue does", async () => {
    const seen: Array<{ attempt: number; activeSpanId: string | undefined }> = [];
    const sim = createSimDriver({
      seed: 3,
      transitionDelayMs: 0,
      faults: { create: { latencyMs: { min: 1, max: 4 } } },
    });
    const nc = client(spyOnCreates(sim, seen));
    const caller = otel.tracerProvider.getTracer('test');
    await caller.startActiveSpan('deploy', async (deploy) => {
      await nc.vms.createMany(
        Array.from({ length: 6 }, (_, index) => ({ provider: 'lab', name: `q-${index}`, resources: small })),
        { concurrency: 6 },
      );
      deploy.end();
    });
    const spans = otel.spans();
    const [deploy] = named(spans, 'deploy');
    const calls = named(spans, 'vms.create');
    expect(calls).toHaveLength(6);
    for (const call of calls) expect(call.parentSpanContext?.spanId).toBe(deploy?.spanContext().spanId);
    const attemptIds = new Set(named(spans, 'vms.create attempt').map((span) => span.spanContext().spanId));
    expect(seen).toHaveLength(6);
    for (const call of seen) expect(attemptIds.has(call.activeSpanId ?? '')).toBe(true);
    expect(new Set(seen.map((call) => call.activeSpanId)).size).toBe(6);
  });

  it('traces a call refused by validation with zero attempts and INVALID_ARGUMENT', async () => {
    const nc = client(createSimDriver({ transitionDelayMs: 0 }));
    await expect(
      nc.vms.create({ provider: 'lab', name: 'bad name', resources: small }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    const [call] = named(otel.spans(), 'vms.create');
    expect(call?.status.code).toBe(SpanStatusCode.ERROR);
    expect(call?.attributes).toMatchObject({ [ATTR_ERROR_TYPE]: 'INVALID_ARGUMENT', [ATTR_ATTEMPTS]: 0 });
    expect(childrenOf(otel.spans(), call!)).toEqual([]);
  });

  it('uses the global providers when none are given, looked up at the first operation', async () => {
    const nc = createNovaCron({
      providers: { sim: createSimDriver({ transitionDelayMs: 0 }) },
      tracer: createOpenTelemetryTracer(),
    });
    trace.setGlobalTracerProvider(otel.tracerProvider);
    try {
      await nc.vms.list({ provider: 'sim' }).toArray();
      expect(otel.spans().map((span) => span.name)).toContain('vms.list');
    } finally {
      trace.disable();
      await nc.close();
    }
  });
});

/** Wraps a sim driver so every `doCreateVm` records the active span it runs under. */
function spyOnCreates(
  sim: SimDriver,
  seen: Array<{ attempt: number; activeSpanId: string | undefined }>,
): DriverV1 {
  return new Proxy(sim, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      // Methods run on the driver itself (its private fields are not on the proxy).
      if (property !== 'doCreateVm') return value.bind(target);
      return (...args: Parameters<SimDriver['doCreateVm']>) => {
        seen.push({ attempt: args[1].attempt, activeSpanId: trace.getActiveSpan()?.spanContext().spanId });
        return (value as SimDriver['doCreateVm']).apply(target, args);
      };
    },
  });
}
