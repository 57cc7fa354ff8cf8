import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/**
 * Manual spans for the work no instrumentation library sees (bus events and
 * jobs), on the OpenTelemetry API only. Without the SDK (see `src/tracing.ts`,
 * started only when an OTLP endpoint is configured) every call here is a
 * no-op: spans do not record and nothing is injected.
 */
const tracer = trace.getTracer('one2one-love');

/** W3C trace context (`traceparent`, `tracestate`) as it travels with an event or a job. */
export type TraceCarrier = Record<string, string>;

/**
 * Starts and ends a producer span for a message about to be written, and
 * returns its context to store beside the message, or null when tracing is off.
 */
export function producerContext(name: string, attributes: Attributes): TraceCarrier | null {
  const span = tracer.startSpan(name, { kind: SpanKind.PRODUCER, attributes });
  if (!span.isRecording()) return null;
  const carrier: TraceCarrier = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  span.end();
  return carrier.traceparent ? carrier : null;
}

/** The active trace context to carry along, or null when no span is recording. */
export function activeContext(): TraceCarrier | null {
  if (!trace.getActiveSpan()?.isRecording()) return null;
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? carrier : null;
}

/** The context a carried trace continues in (a fresh root without one). */
export function contextFrom(carrier: TraceCarrier | null | undefined): Context {
  return carrier?.traceparent ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

/**
 * Runs `fn` in a consumer span that continues `carrier`'s trace: database
 * and cache calls made inside become its children. A throw marks the span
 * as failed and is rethrown.
 */
export async function inConsumerSpan<T>(
  name: string,
  carrier: TraceCarrier | null | undefined,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes }, contextFrom(carrier));
  if (!span.isRecording()) return fn();
  try {
    return await context.with(trace.setSpan(context.active(), span), fn);
  } catch (error) {
    fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

function fail(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/** Ends the spans in hand and sends them (on shutdown); a no-op without the SDK. */
export async function flushTraces(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = (provider.getDelegate?.() ?? provider) as { forceFlush?: () => Promise<void> };
  await delegate.forceFlush?.();
}
