/**
 * Preloaded by the npm scripts (`node --import tsx --import ./src/tracing.ts src/main.ts`)
 * so the OpenTelemetry SDK patches http, pg, ioredis and fastify before the
 * app imports them. Without an OTLP endpoint in the environment it loads
 * nothing: tracing off costs one environment lookup.
 */
import { tracingWanted } from './platform/observability/tracing-env.ts';

if (tracingWanted()) {
  const { startTracing } = await import('./platform/observability/otel-sdk.ts');
  startTracing();
}
