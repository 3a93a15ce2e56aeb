/** A span opened around one operation. */
export interface Span {
  /** Closes the span, with the error when the operation failed. */
  end(error?: Error): void;
}

/**
 * The tracing hook: adapt it to OpenTelemetry or any tracer. The default does nothing.
 *
 * @example
 * const tracer: Tracer = { startSpan: (name, attributes) => { const span = otel.startSpan(name, { attributes });
 *   return { end: (error) => { if (error) span.recordException(error); span.end(); } }; } };
 */
export interface Tracer {
  /** Opens a span for an operation. Attributes never include the operation's input. */
  startSpan(name: string, attributes: Record<string, string>): Span;
}

/** A tracer that records nothing. */
export const noopTracer: Tracer = { startSpan: () => ({ end: () => {} }) };
