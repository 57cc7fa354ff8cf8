import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, LogController } from 'fastify';
import { MODULES, modulesFor } from './modules/index.ts';
import { deadLetterRoutes } from './platform/bus/admin-routes.ts';
import { adminAllowList } from './platform/gateway/admin-allow-list.ts';
import { concurrencyLimit } from './platform/gateway/concurrency-limit.ts';
import { loadShedding } from './platform/gateway/load-shedding.ts';
import { rateLimit } from './platform/gateway/rate-limit/plugin.ts';
import { requestDeadline } from './platform/gateway/request-deadline.ts';
import { responseCache } from './platform/gateway/response-cache/plugin.ts';
import { requireRole } from './platform/http/auth.ts';
import { conventions } from './platform/http/conventions.ts';
import { crossOrigin, crossOriginHeaders } from './platform/http/cors.ts';
import { handleError } from './platform/http/error-handler.ts';
import { healthRoutes } from './platform/http/health.ts';
import { idempotency } from './platform/http/idempotency.ts';
import { openapi } from './platform/http/openapi.ts';
import { readYourWrites } from './platform/http/read-your-writes.ts';
import { requestIdFrom } from './platform/http/request-id.ts';
import { securityHeaders, securityHeadersFor } from './platform/http/security-headers.ts';
import { buildSerializer } from './platform/http/serialization.ts';
import { AJV_OPTIONS, buildValidator } from './platform/http/validation.ts';
import { rewriteVersionedUrl, versionCheck } from './platform/http/versioning.ts';
import { hasWebApp, webApp } from './platform/http/web-app.ts';
import { lazyChildLogger } from './platform/observability/lazy-child-logger.ts';
import { loggerOptions, prettyLogs } from './platform/observability/logger.ts';
import { httpMetrics } from './platform/observability/metrics.ts';
import { requestLogging } from './platform/observability/request-logging.ts';
import type { Platform } from './platform/platform.ts';
import { hubFor } from './platform/realtime/live-hub.ts';
import { realtimeRoutes } from './platform/realtime/routes.ts';
import { localFileRoutes } from './platform/storage/index.ts';

export interface BuildOptions {
  /** A pino destination stream (tests capture logs with it). */
  logStream?: NodeJS.WritableStream;
  /**
   * Plugins registered right after the conventions, before any route: their
   * hooks see every answer (tests check each against the OpenAPI document).
   */
  observers?: FastifyPluginAsync[];
}

/** Builds the HTTP app: platform conventions first, then every enabled module's routes. */
export async function buildApp(platform: Platform, options: BuildOptions = {}): Promise<FastifyInstance> {
  const { config } = platform;
  const logger = options.logStream
    ? { ...loggerOptions(config.logLevel), stream: options.logStream }
    : loggerOptions(config.logLevel, prettyLogs(config));
  const app = Fastify({
    logger,
    genReqId: requestIdFrom,
    childLoggerFactory: lazyChildLogger,
    // Two info lines per request (with redaction) cost more than a bare route's whole
    // handling; requestLogging() logs slow and failed requests at info, the rest at debug.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    rewriteUrl: rewriteVersionedUrl,
    // The router answers an undecodable path (`/v1/users/%E0`) or an over-long
    // parameter before any hook; without this those answers skip the envelope,
    // and the headers the onRequest hooks would have set are set here.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      reply.headers(securityHeadersFor(request.url));
      crossOriginHeaders(config.corsOrigins, request, reply);
      return handleError(error, request, reply);
    },
    return503OnClosing: true,
    // Deadline for receiving a request from the socket (slow clients); the handler's
    // deadline is per route (gateway/request-deadline.ts).
    requestTimeout: config.gateway.requestTimeoutMs,
    // Coercion for query, params and headers only; JSON bodies are validated as sent (validation.ts).
    ajv: AJV_OPTIONS,
    schemaController: { compilersFactory: { buildValidator, buildSerializer } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(requestLogging, { slowMs: config.slowRequestMs });
  await app.register(conventions);
  if (platform.database.replicas.length > 0) {
    await app.register(readYourWrites, {
      cache: platform.cache,
      stickySeconds: config.databaseReplicaStickySeconds,
    });
  }
  for (const observer of options.observers ?? []) await app.register(observer);
  await app.register(securityHeaders);
  await app.register(crossOrigin, { origins: config.corsOrigins });
  await app.register(versionCheck);
  await app.register(loadShedding, {
    maxEventLoopDelayMs: config.shedMaxEventLoopDelayMs,
    maxHeapUsedBytes: config.shedMaxHeapUsedBytes,
  });
  await app.register(concurrencyLimit, {
    max: config.gateway.maxConcurrentRequests,
    metrics: platform.metrics,
  });
  // Before the modules' global hooks: a refused admin request costs no token or key check.
  await app.register(adminAllowList, { allowed: config.gateway.adminAllowedIps });
  await app.register(requestDeadline, { timeoutMs: config.gateway.requestTimeoutMs });
  await app.register(httpMetrics, { registry: platform.metrics, token: config.metricsToken });
  await app.register(rateLimit, { platform });
  await app.register(responseCache, { platform });
  await app.register(openapi);
  await app.register(healthRoutes, { checks: platform.readiness });
  await app.register(idempotency, { db: platform.database.db });
  if (platform.storage.kind === 'local') {
    await app.register(localFileRoutes, { prefix: '/v1', storage: platform.storage });
  }

  // Request-wide hooks of every module, mounted or not: a process serving only love-notes
  // must still verify bearer tokens, so auth's hook runs wherever routes are served.
  for (const module of MODULES) {
    if (module.global) await app.register(module.global, { platform });
  }

  // One realtime endpoint in every API process: any module's live events, resumed across all of them.
  await app.register(realtimeRoutes, {
    prefix: '/v1',
    platform,
    hub: hubFor(platform),
    replays: MODULES.flatMap((module) => (module.live?.replay ? [module.live.replay] : [])),
  });
  const mounted = modulesFor(config.modules);
  for (const module of mounted) {
    if (module.routes) await app.register(module.routes, { prefix: module.prefix ?? '/v1', platform });
  }
  // Staff routes of the platform (dead letters) and of each mounted module, behind the admin role.
  await app.register(
    async (admin) => {
      admin.addHook('onRequest', requireRole('admin'));
      await admin.register(deadLetterRoutes, { platform });
      for (const module of mounted) if (module.admin) await admin.register(module.admin, { platform });
    },
    { prefix: '/v1' },
  );
  // The web app and admin panel (web/), when built: one origin for the app and its API.
  if (hasWebApp(config.webAppDir)) await app.register(webApp, { dir: config.webAppDir });
  return app;
}
