import {
  type MeterProvider as ApiMeterProvider,
  type TracerProvider as ApiTracerProvider,
  context,
} from '@opentelemetry/api';
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

/** An OpenTelemetry SDK set up for one test file: spans and metrics kept in memory. */
export interface OtelHarness {
  tracerProvider: ApiTracerProvider;
  meterProvider: ApiMeterProvider;
  /** Every finished span so far, in the order they ended. */
  spans(): ReadableSpan[];
  /** The histogram named `name` as the SDK aggregated it so far (cumulative), or undefined. */
  histogram(name: string): Promise<HistogramMetricData | undefined>;
  /** Forgets the spans recorded so far. */
  resetSpans(): void;
  /** Forgets the spans, and starts a new meter provider (for the next client: a tracer keeps the one it found). */
  reset(): void;
  /** Shuts the SDK down and disables the context manager. */
  shutdown(): Promise<void>;
}

/**
 * Starts a tracer provider with an in-memory span exporter, a meter provider with an in-memory metric exporter, and
 * the AsyncLocalStorage context manager (what the Node SDK registers), so active-context propagation is real.
 */
export function otelHarness(): OtelHarness {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: spanExporter })],
  });
  let metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  let reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  let meterProvider = new MeterProvider({ readers: [reader] });
  const harness: OtelHarness = {
    tracerProvider,
    get meterProvider() {
      return meterProvider;
    },
    spans: () => spanExporter.getFinishedSpans(),
    resetSpans: () => spanExporter.reset(),
    async histogram(name) {
      await reader.forceFlush();
      const exported = metricExporter.getMetrics().at(-1);
      const metric = exported?.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .find((candidate) => candidate.descriptor.name === name);
      return metric as HistogramMetricData | undefined;
    },
    reset() {
      spanExporter.reset();
      void meterProvider.shutdown();
      metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
      reader = new PeriodicExportingMetricReader({
        exporter: metricExporter,
        exportIntervalMillis: 3_600_000,
      });
      meterProvider = new MeterProvider({ readers: [reader] });
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      context.disable();
    },
  };
  return harness;
}

/** The spans whose parent is `parent`, in start order. */
export function childrenOf(spans: ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  const id = parent.spanContext().spanId;
  return spans
    .filter((span) => span.parentSpanContext?.spanId === id)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
}

/** The spans named `name`. */
export function named(spans: ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}
