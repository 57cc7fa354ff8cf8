import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Request logs in place of Fastify's own (`disableRequestLogging`): a request
 * that failed (5xx) or took `slowMs` or more is logged when it completes, at
 * info (warn from five times `slowMs`, error for a 5xx); every other request
 * only at debug, where both the incoming and the completed line are written
 * as Fastify wrote them. Errors themselves are still logged by the error
 * handler. At info a fast, successful request writes nothing, which was about
 * a tenth of the CPU of a love-note send.
 */
export const requestLogging = fp<{ slowMs: number }>(
  ((app, { slowMs }, done) => {
    app.addHook('onRequest', (request, _reply, next) => {
      // The request's logger is lazy (lazy-child-logger.ts): below its level this costs a call.
      request.log.debug({ req: request }, 'incoming request');
      next();
    });
    app.addHook('onResponse', (request, reply, next) => {
      const responseTime = reply.elapsedTime;
      const status = reply.statusCode;
      // A failed or slow request's line carries the request too (method, redacted URL): without
      // the debug-level incoming line it is the only one that says what was asked.
      if (status >= 500) request.log.error({ req: request, res: reply, responseTime }, 'request completed');
      else if (responseTime >= slowMs * 5)
        request.log.warn({ req: request, res: reply, responseTime }, 'slow request completed');
      else if (responseTime >= slowMs)
        request.log.info({ req: request, res: reply, responseTime }, 'slow request completed');
      else request.log.debug({ res: reply, responseTime }, 'request completed');
      next();
    });
    done();
  }) as FastifyPluginCallback<{ slowMs: number }>,
  { name: 'request-logging' },
);
