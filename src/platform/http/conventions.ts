import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import fp from 'fastify-plugin';
import { errorBody, successBody } from './envelope.ts';
import { handleError } from './error-handler.ts';
import { AppError, notFound } from './errors.ts';
import { isPage } from './pagination.ts';
import { routeOf } from './route-of.ts';

export interface DeprecationInfo {
  /** When the route was deprecated (RFC 9745 `Deprecation: @<epoch seconds>`). */
  since: Date;
  /** When it stops working (RFC 8594 `Sunset`). */
  sunset?: Date;
  /** Where to read about the replacement. */
  link?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The handler returns a Page; its items become `data`, its cursor `meta.nextCursor`. */
    paginated?: boolean;
    deprecation?: DeprecationInfo;
    /** Already in the envelope or not JSON (metrics, docs): leave the body alone. */
    rawBody?: boolean;
  }
}

const METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function deprecationHeaders(info: DeprecationInfo): Record<string, string> {
  const headers: Record<string, string> = { deprecation: `@${Math.floor(info.since.getTime() / 1000)}` };
  const links: string[] = [];
  if (info.sunset) headers.sunset = info.sunset.toUTCString();
  if (info.link) links.push(`<${info.link}>; rel="deprecation"`);
  if (links.length > 0) headers.link = links.join(', ');
  return headers;
}

/**
 * The API's conventions in one place: envelope, request id, deprecation
 * headers, and errors (including 404/405) in the envelope. The version check
 * is its own hook (versioning.ts), registered after the security and CORS
 * headers so its 400 carries them too.
 */
export const conventions = fp(
  async (app: FastifyInstance) => {
    // Hooks use callbacks, not async functions: they run on every request and
    // the promise machinery is measurable there (see docs/benchmarks.md).
    app.decorateRequest('routeView', null);
    app.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id);
      // Here rather than at serialization: responses sent as text (cache hits) carry them too.
      const deprecation = routeOf(request).config?.deprecation;
      if (deprecation) reply.headers(deprecationHeaders(deprecation));
      done();
    });

    app.addHook(
      'preSerialization',
      (
        request: FastifyRequest,
        reply: FastifyReply,
        payload: unknown,
        done: (err: null, value: unknown) => void,
      ) => {
        const config = routeOf(request).config;
        if (reply.statusCode >= 400 || config.rawBody) return done(null, payload);
        if (config.paginated && isPage(payload)) {
          return done(null, successBody(request.id, payload.items, { nextCursor: payload.nextCursor }));
        }
        done(null, successBody(request.id, payload));
      },
    );

    app.setErrorHandler(handleError);
    // Bodies are JSON (and, where a route adds it, multipart or a form). Fastify's
    // built-in text/plain parser would hand a string to a JSON schema, a 400 that
    // should be 415 UNSUPPORTED_MEDIA_TYPE.
    app.removeContentTypeParser('text/plain');

    // While draining on shutdown, tell keep-alive clients to reconnect elsewhere;
    // otherwise an idle kept-alive socket holds close() open until it times out.
    let draining = false;
    app.addHook('preClose', async () => {
      draining = true;
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (draining) reply.header('connection', 'close');
      done(null, payload);
    });

    app.setNotFoundHandler(async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      // The methods with a route registered for this path, wildcards included. Routes that answer
      // only some requests say so with a constraint (the web app's page route, web-app.ts) and are
      // not found here, so they never turn an unknown API path into a 405.
      const allowed = METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
      // A route for this very method that found nothing (a missing file) is a 404, not a 405.
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      if (allowed.length > 0 && !allowed.includes(method as (typeof METHODS)[number])) {
        const allow = allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed;
        return reply
          .status(405)
          .header('allow', allow.join(', '))
          .send(
            errorBody(request.id, [
              {
                code: 'METHOD_NOT_ALLOWED',
                message: `${request.method} is not allowed here; use ${allow.join(', ')}`,
              },
            ]),
          );
      }
      throw notFound(`Route ${request.method} ${path}`);
    });
  },
  { name: 'conventions' },
);

export { AppError };
