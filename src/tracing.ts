/**
 * Loaded by src/tracing-preload.mjs (`node --import tsx --import ./src/tracing-preload.mjs src/main.ts`)
 * so the OpenTelemetry SDK patches http, pg, ioredis and fastify before the
 * app imports them. Without an OTLP endpoint in the environment it loads
 * nothing: tracing off costs one environment lookup.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { tracingWanted } from './platform/observability/tracing-env.ts';

// OTEL_* settings may sit in `.env` like the rest of the configuration (the real environment
// wins, as in src/config.ts); the SDK reads them from process.env.
const envFile = path.join(process.cwd(), '.env');
if (existsSync(envFile)) {
  for (const [name, value] of Object.entries(dotenv.parse(readFileSync(envFile, 'utf8')))) {
    if (name.startsWith('OTEL_') && process.env[name] === undefined) process.env[name] = value;
  }
}

if (tracingWanted()) {
  // ESM imports of CommonJS packages (`import { Redis } from 'ioredis'`) bypass the
  // require hook the instrumentations use: import-in-the-middle's loader hook sees
  // them, limited to the modules an instrumentation asked for.
  const { register } = await import('node:module');
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const { startTracing } = await import('./platform/observability/otel-sdk.ts');
  startTracing();
  await waitForAllMessagesAcknowledged();
}
