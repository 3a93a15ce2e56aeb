import { spawnSync } from 'node:child_process';
import { createNovaCron, type NovaCron } from '@novacron/core';
import { createAwsDriver } from '@novacron/driver-aws';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, useMotoServer } from '../../../scripts/support/moto-server.js';
import {
  ATTR_ATTEMPT,
  ATTR_ATTEMPTS,
  ATTR_CLOUD_PROVIDER,
  ATTR_CLOUD_REGION,
  ATTR_ERROR_TYPE,
  ATTR_OPERATION,
  ATTR_PROVIDER,
  createOpenTelemetryTracer,
  EVENT_RETRY,
  EVENT_THROTTLED,
  METRIC_OPERATION_ATTEMPTS,
} from '../src/index.js';
import { type Ec2ThrottlingProxy, startEc2ThrottlingProxy } from './support/ec2-throttling-proxy.js';
import { childrenOf, named, type OtelHarness, otelHarness } from './support/otel-harness.js';

const INSTALL_HINT = "python3 -m pip install 'moto[server]==5.*'";
const motoMissing =
  !process.env.MOTO_URL && spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status !== 0;
if (motoMissing) {
  const reason = `moto_server is not on PATH (and MOTO_URL is not set). Install it: ${INSTALL_HINT}`;
  if (process.env.CI === 'true')
    throw new Error(`The OpenTelemetry moto test needs moto under CI=true: ${reason}`);
  console.warn(`[opentelemetry] skipping the moto-backed test: ${reason}`);
}

/** An AMI that moto ships in every region. */
const MOTO_IMAGE = 'ami-03cf127a';

describe.skipIf(motoMissing)('@novacron/opentelemetry through driver-aws on moto', () => {
  let otel: OtelHarness;
  let http: HttpInstrumentation;
  let moto: MotoServer;
  let proxy: Ec2ThrottlingProxy;
  let nc: NovaCron;

  beforeAll(async () => {
    otel = otelHarness();
    // Only the SDK's outgoing requests: the proxy's incoming side is not what this test is about.
    http = new HttpInstrumentation({ enabled: false, ignoreIncomingRequestHook: () => true });
    http.setTracerProvider(otel.tracerProvider);
    http.enable();
    moto = await useMotoServer();
    await moto.reset();
    proxy = await startEc2ThrottlingProxy(moto.url);
    nc = createNovaCron({
      providers: {
        'aws-test': createAwsDriver({
          region: 'us-east-1',
          endpoint: proxy.url,
          credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
        }),
      },
      limits: { 'aws-test': { retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 10 } } },
      tracer: createOpenTelemetryTracer({
        tracerProvider: otel.tracerProvider,
        meterProvider: otel.meterProvider,
      }),
    });
  }, 60_000);

  afterAll(async () => {
    await nc?.close();
    http?.disable();
    await proxy?.close();
    await moto?.stop();
    await otel?.shutdown();
  });

  it('nests the AWS SDK HTTP spans under the attempt spans, with throttled attempts and retries in between', async () => {
    // Warm up (the driver's catalog look-ups), so the traced createMany is about RunInstances.
    await nc.vms.create({ provider: 'aws-test', name: 'warm-up', size: 't3.micro', image: MOTO_IMAGE });
    otel.resetSpans();
    proxy.throttle('RunInstances', 2);
    const result = await nc.vms.createMany(
      Array.from({ length: 3 }, (_, index) => ({
        provider: 'aws-test',
        name: `traced-${index}`,
        size: 't3.micro',
        image: MOTO_IMAGE,
      })),
      { concurrency: 3 },
    );
    expect(result.failed).toEqual([]);
    expect(proxy.calls.filter((call) => call.action === 'RunInstances' && call.throttled)).toHaveLength(2);

    const spans = otel.spans();
    const calls = named(spans, 'vms.create');
    expect(calls).toHaveLength(3);
    const httpSpans = spans.filter((span) => span.kind === SpanKind.CLIENT);
    expect(httpSpans.length).toBeGreaterThanOrEqual(5);
    const attempts = named(spans, 'vms.create attempt');
    const attemptIds = new Set(attempts.map((span) => span.spanContext().spanId));
    // Every HTTP request the SDK made is a child of one of NovaCron's attempt spans.
    for (const request of httpSpans)
      expect(attemptIds.has(request.parentSpanContext?.spanId ?? '')).toBe(true);

    let throttledAttempts = 0;
    for (const call of calls) {
      expect(call.attributes).toMatchObject({
        [ATTR_PROVIDER]: 'aws-test',
        [ATTR_CLOUD_PROVIDER]: 'aws',
        [ATTR_CLOUD_REGION]: 'us-east-1',
      });
      const own = childrenOf(spans, call);
      const count = call.attributes[ATTR_ATTEMPTS] as number;
      expect(own.map((span) => span.attributes[ATTR_ATTEMPT])).toEqual(
        Array.from({ length: count }, (_, index) => index + 1),
      );
      expect(call.events.filter((event) => event.name === EVENT_RETRY)).toHaveLength(count - 1);
      for (const attempt of own) {
        const requests = childrenOf(spans, attempt);
        expect(requests.length).toBeGreaterThanOrEqual(1);
        if (attempt.status.code === SpanStatusCode.ERROR) {
          throttledAttempts += 1;
          expect(attempt.attributes[ATTR_ERROR_TYPE]).toBe('THROTTLED');
          expect(attempt.events.map((event) => event.name)).toContain(EVENT_THROTTLED);
          expect(requests.map(statusOf)).toContain(503);
        }
      }
    }
    expect(throttledAttempts).toBe(2);
    const attemptsMetric = await otel.histogram(METRIC_OPERATION_ATTEMPTS);
    const creates = attemptsMetric?.dataPoints.find(
      (point) => point.attributes[ATTR_OPERATION] === 'vms.create',
    );
    // The warm-up's one attempt, then the three creates' five.
    expect(creates?.value).toMatchObject({ count: 4, sum: 6 });
    expect(creates?.attributes).toEqual({
      [ATTR_OPERATION]: 'vms.create',
      [ATTR_PROVIDER]: 'aws-test',
      [ATTR_CLOUD_PROVIDER]: 'aws',
      [ATTR_CLOUD_REGION]: 'us-east-1',
    });
  });
});

function statusOf(span: ReadableSpan): unknown {
  return span.attributes['http.response.status_code'] ?? span.attributes['http.status_code'];
}
