import { FastifyOtelInstrumentation } from '@fastify/otel';
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** Paths probed or scraped every few seconds: tracing them would bury the requests that matter. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

/**
 * Starts the OpenTelemetry SDK: a tracer provider exporting batches over
 * OTLP/HTTP (protobuf, or JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json),
 * W3C trace context propagation, and the instrumentations of the libraries
 * the app uses. The exporter reads its endpoint, headers and timeout from the
 * standard OTEL_EXPORTER_OTLP_* variables, the batch processor OTEL_BSP_*,
 * the sampler OTEL_TRACES_SAMPLER(_ARG). Must run before the app imports
 * http, pg, ioredis and fastify, so their instrumentations can patch them.
 */
export function startTracing(): NodeTracerProvider {
  const env = process.env;
  if (env.OTEL_LOG_LEVEL) {
    const level = DiagLogLevel[env.OTEL_LOG_LEVEL.toUpperCase() as keyof typeof DiagLogLevel];
    diag.setLogger(new DiagConsoleLogger(), level ?? DiagLogLevel.WARN);
  }
  const protocol =
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new Error(
      `OTEL_EXPORTER_OTLP_PROTOCOL "${protocol}" is not supported: use http/protobuf or http/json`,
    );
  }
  const exporter = protocol === 'http/json' ? new OTLPJsonTraceExporter() : new OTLPProtoTraceExporter();
  const command = process.argv[2] ?? 'start';
  const resource = resourceFromAttributes({
    'service.name': 'one2one-love',
    'process.command_args': command,
  }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]!),
        // Outgoing calls (mail, push, AI providers) are traced only inside a trace.
        requireParentforOutgoingSpans: true,
      }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true, instrumentHooks: false }),
      // Bus loops and the job runner poll PostgreSQL all the time: only queries
      // made on behalf of a request, an event or a job become spans.
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  return provider;
}
