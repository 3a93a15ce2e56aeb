/**
 * Traces one `nc.vms.createMany` of four VMs on a simulated fleet that throttles creates, with OpenTelemetry, and
 * prints the trace as an indented tree with durations: a span per call, a child span per attempt, retries and
 * throttling as events; then the metrics it recorded. The SDK keeps everything in memory (no collector needed).
 * Run: `npx tsx examples/opentelemetry-trace.ts`
 */
import { createNovaCron } from '@novacron/core';
import { createSimDriver } from '@novacron/driver-sim';
import { createOpenTelemetryTracer } from '@novacron/opentelemetry';
import { context, type HrTime } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  type HistogramMetricData,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

// 1. The OpenTelemetry SDK: a context manager (for active-context propagation), a tracer provider and a meter
//    provider. A service would export to a collector (OTLP) instead of keeping spans in memory.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const spans = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const metricReader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 60_000,
});
const meterProvider = new MeterProvider({ readers: [metricReader] });

// 2. NovaCron with the OpenTelemetry tracer, over a sim fleet that throttles half of the creates (Retry-After 20 ms).
const nc = createNovaCron({
  providers: {
    lab: createSimDriver({
      seed: 4,
      transitionDelayMs: 0,
      faults: { create: { throttleRate: 0.5, retryAfterMs: 20, latencyMs: { min: 2, max: 6 } } },
    }),
  },
  limits: { lab: { concurrency: 4, retry: { maxAttempts: 6, baseDelayMs: 10 } } },
  tracer: createOpenTelemetryTracer({ tracerProvider, meterProvider }),
});

// 3. One traced piece of work: the caller's own span, with the createMany inside it.
const tracer = tracerProvider.getTracer('opentelemetry-trace-example');
await tracer.startActiveSpan('deploy web tier', async (deploy) => {
  const result = await nc.vms.createMany(
    ['web-1', 'web-2', 'web-3', 'web-4'].map((name) => ({
      provider: 'lab',
      name,
      resources: { vcpus: 2, memoryMiB: 2048 },
    })),
    { concurrency: 4 },
  );
  deploy.setAttribute('vms.created', result.created.length);
  deploy.end();
});
await nc.close();

// 4. The trace, as a tree.
const finished = spans.getFinishedSpans();
const [root] = finished.filter((span) => span.parentSpanContext === undefined);
if (root === undefined) throw new Error('No root span was recorded.');
console.log(`trace ${root.spanContext().traceId}`);
printTree(root, '');

// 5. The metrics.
await metricReader.forceFlush();
const scopes = metricExporter.getMetrics().at(-1)?.scopeMetrics ?? [];
for (const metric of scopes.flatMap((scope) => scope.metrics) as HistogramMetricData[]) {
  for (const point of metric.dataPoints) {
    const mean = point.value.count === 0 ? 0 : (point.value.sum ?? 0) / point.value.count;
    console.log(
      `${metric.descriptor.name} {${Object.entries(point.attributes)
        .map(([key, value]) => `${key}=${String(value)}`)
        .join(
          ', ',
        )}}: count ${point.value.count}, sum ${round(point.value.sum ?? 0)} ${metric.descriptor.unit}, mean ${round(mean)}`,
    );
  }
}
await tracerProvider.shutdown();
await meterProvider.shutdown();

function printTree(span: ReadableSpan, indent: string): void {
  const details = [
    span.attributes['novacron.attempts'] === undefined
      ? undefined
      : `provider=${span.attributes['novacron.provider']}`,
    span.attributes['novacron.attempts'] === undefined
      ? undefined
      : `attempts=${span.attributes['novacron.attempts']}`,
    span.attributes['error.type'] === undefined ? undefined : `error=${span.attributes['error.type']}`,
  ].filter((detail) => detail !== undefined);
  const name =
    span.attributes['novacron.attempt'] === undefined
      ? span.name
      : `attempt ${span.attributes['novacron.attempt']}`;
  console.log(
    `${indent}${name.padEnd(32 - indent.length)} ${ms(span.duration).padStart(9)}  ${details.join(' ')}`,
  );
  const children = finished.filter(
    (candidate) => candidate.parentSpanContext?.spanId === span.spanContext().spanId,
  );
  const entries: Array<{ at: number; print: () => void }> = [
    ...children.map((child) => ({
      at: nanos(child.startTime),
      print: () => printTree(child, `${indent}  `),
    })),
    ...span.events
      .filter((event) => event.name !== 'exception')
      .map((event) => ({
        at: nanos(event.time),
        print: () => {
          const attributes = event.attributes ?? {};
          const parts = [
            attributes['error.type'],
            attributes['novacron.retry.delay_ms'] === undefined
              ? undefined
              : `wait ${attributes['novacron.retry.delay_ms']} ms`,
            attributes['novacron.retry.after_ms'] === undefined
              ? undefined
              : `Retry-After ${attributes['novacron.retry.after_ms']} ms`,
            attributes['http.response.status_code'] === undefined
              ? undefined
              : `HTTP ${attributes['http.response.status_code']}`,
          ].filter((part) => part !== undefined);
          console.log(`${indent}  * ${event.name} ${parts.join(', ')}`);
        },
      })),
  ];
  for (const entry of entries.sort((a, b) => a.at - b.at)) entry.print();
}

function nanos(time: HrTime): number {
  return time[0] * 1e9 + time[1];
}

function ms(duration: HrTime): string {
  return `${(nanos(duration) / 1e6).toFixed(1)} ms`;
}

function round(value: number): string {
  return value.toFixed(value < 1 ? 4 : 2);
}
