import type { Tracer } from '@novacron/core';
import {
  type MeterProvider,
  metrics,
  type Tracer as OtelTracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { OperationSpan } from './operation-span.js';
import { createOperationInstruments, type OperationInstruments } from './telemetry-metrics.js';

/** The instrumentation scope of every span and metric this package makes. */
export const INSTRUMENTATION_SCOPE = '@novacron/opentelemetry';
/** This package's version, reported as the instrumentation scope's version. */
export const VERSION = '0.1.0';

/** Options of {@link createOpenTelemetryTracer}. */
export interface OpenTelemetryTracerOptions {
  /** Where spans go. Default: the global tracer provider (the one the OpenTelemetry SDK registers). */
  tracerProvider?: TracerProvider | undefined;
  /** Where metrics go. Default: the global meter provider (the one the OpenTelemetry SDK registers). */
  meterProvider?: MeterProvider | undefined;
}

/**
 * NovaCron's tracing hook on OpenTelemetry: pass it as `createNovaCron({ tracer })`. Each client call (`vms.create`)
 * gets a span, each attempt a child span under which the driver's own I/O is traced (the cloud SDK's HTTP spans,
 * with `@opentelemetry/instrumentation-http`), each retry an event; and each call records
 * `novacron.operation.duration` (seconds) and `novacron.operation.attempts`.
 *
 * The providers are looked up at the first operation, not here, so the SDK may be started after the client is made.
 * Active-context propagation needs a context manager (the Node SDK registers `AsyncLocalStorageContextManager`).
 *
 * @example
 * import { createNovaCron } from '@novacron/core';
 * import { createSimDriver } from '@novacron/driver-sim';
 * import { createOpenTelemetryTracer } from '@novacron/opentelemetry';
 *
 * const nc = createNovaCron({ providers: { sim: createSimDriver() }, tracer: createOpenTelemetryTracer() });
 */
export function createOpenTelemetryTracer(options: OpenTelemetryTracerOptions = {}): Tracer {
  let resolved: { tracer: OtelTracer; instruments: OperationInstruments } | undefined;
  return {
    startSpan(name, attributes) {
      if (resolved === undefined) {
        const tracerProvider = options.tracerProvider ?? trace.getTracerProvider();
        const meterProvider = options.meterProvider ?? metrics.getMeterProvider();
        resolved = {
          tracer: tracerProvider.getTracer(INSTRUMENTATION_SCOPE, VERSION),
          instruments: createOperationInstruments(meterProvider.getMeter(INSTRUMENTATION_SCOPE, VERSION)),
        };
      }
      return new OperationSpan(resolved.tracer, resolved.instruments, name, attributes);
    },
  };
}
