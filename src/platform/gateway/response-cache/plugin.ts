import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
  preHandlerAsyncHookHandler,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import { Counter } from 'prom-client';
import { type Envelope, meta, successEnvelopeText } from '../../http/envelope.ts';
import { routeOf } from '../../http/route-of.ts';
import type { Platform } from '../../platform.ts';
import { cacheTags, type ResponseCache } from './index.ts';
import { cacheKey, etagOf, matchesIfNoneMatch } from './key.ts';

export interface RouteCacheOptions {
  /** How long an entry lives, 1–60 seconds (the design asks for 5–60). */
  ttlSeconds: number;
  /**
   * `private`: per user (keyed by user id, `Cache-Control: private, no-cache`);
   * anonymous calls are not cached. `public`: the same for everyone
   * (`Cache-Control: public, max-age=ttl`); only for data that is truly public.
   */
  scope: 'private' | 'public';
  /** Extra tags that writes invalidate, e.g. `(req) => ['couple:' + coupleId]`. */
  tags?: (request: FastifyRequest) => string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Opt a GET route into the response cache. */
    cache?: RouteCacheOptions;
  }
}

interface Miss {
  key: string;
  tags: string[];
  versions: string;
  ttlMs: number;
}

/**
 * Response caching for GET routes that opt in through `config.cache`. The
 * lookup is appended to the route's own preHandlers (so the route's
 * authorization runs first and a refused caller never reaches a cached body);
 * a miss stores the serialized data in onSend. What is cached is the data,
 * not the envelope: each hit gets its own request id and timestamp.
 */
export const responseCache = fp(
  async (app: FastifyInstance, opts: { platform: Platform }) => {
    const { config, metrics } = opts.platform;
    const cache = opts.platform.responseCache;
    const enabled = config.gateway.responseCacheEnabled;
    if (enabled && !(await cache.ready()))
      app.log.warn('response cache: Redis is not answering yet; serving uncached');
    const misses = new WeakMap<FastifyRequest, Miss>();
    const counter = (name: string, help: string) =>
      new Counter({ name, help, labelNames: ['route'], registers: [metrics] });
    const hits = counter('response_cache_hits_total', 'Responses served from the response cache');
    const missed = counter('response_cache_misses_total', 'Cacheable requests the handler had to answer');
    const errors = counter(
      'response_cache_errors_total',
      'Cache lookups or stores that failed (served uncached)',
    );
    let failing = false;
    const onStoreError = (request: FastifyRequest, error: unknown) => {
      errors.inc({ route: routeOf(request).url ?? '' });
      if (!failing) request.log.warn({ err: error }, 'response cache: store unavailable, serving uncached');
      failing = true;
    };

    app.addHook('onRoute', (route: RouteOptions) => {
      const options = route.config?.cache;
      if (!options) return;
      const methods = [route.method].flat();
      if (methods.includes('HEAD')) return;
      if (!methods.every((m) => m === 'GET'))
        throw new Error(`config.cache on ${route.url}: only GET routes can be cached`);
      if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 1 || options.ttlSeconds > 60) {
        throw new Error(`config.cache on ${route.url}: ttlSeconds must be an integer from 1 to 60`);
      }
      if (!enabled) return;
      route.preHandler = [...[route.preHandler ?? []].flat(), lookup(options, `GET ${route.url}`)];
      route.onSend = [...[route.onSend ?? []].flat(), storeOnMiss];
    });

    function lookup(options: RouteCacheOptions, routeName: string): preHandlerAsyncHookHandler {
      return async function cacheLookup(request: FastifyRequest, reply: FastifyReply) {
        const userId = options.scope === 'private' ? request.user?.id : undefined;
        if (options.scope === 'private' && userId === undefined) return;
        const tags = [
          options.scope === 'private' ? cacheTags.user(userId!) : cacheTags.route(routeName),
          ...(options.tags?.(request) ?? []),
        ];
        const key = cacheKey(request, userId);
        cacheHeaders(reply, options);
        let found: Awaited<ReturnType<ResponseCache['store']['lookup']>>;
        try {
          found = await cache.store.lookup(key, tags);
          if (failing) request.log.info('response cache: store is back');
          failing = false;
        } catch (error) {
          onStoreError(request, error);
          return;
        }
        const route = { route: routeOf(request).url ?? '' };
        if (!found.hit) {
          missed.inc(route);
          misses.set(request, { key, tags, versions: found.versions, ttlMs: options.ttlSeconds * 1000 });
          reply.header('x-cache', 'MISS');
          return;
        }
        hits.inc(route);
        reply.header('etag', found.entry.etag).header('x-cache', 'HIT');
        if (matchesIfNoneMatch(request.headers['if-none-match'], found.entry.etag)) {
          return reply.code(304).send();
        }
        const body = found.entry.body;
        const newline = body.indexOf('\n');
        const cursor = JSON.parse(body.slice(0, newline)) as string | null;
        const extra = routeOf(request).config.paginated ? { nextCursor: cursor } : undefined;
        // Sent as text, so the envelope is built here rather than by the serializer.
        return reply
          .header('content-type', 'application/json; charset=utf-8')
          .send(successEnvelopeText(body.slice(newline + 1), meta(request.id, extra)));
      };
    }

    // Route-level, so uncached routes pay nothing. onSend sees the serialized
    // envelope: what is stored is exactly what the response schema let out,
    // never a field the handler returned but the schema strips (a hash, a secret).
    const storeOnMiss: onSendHookHandler = (request, reply, payload, done) => {
      const miss = misses.get(request);
      if (!miss || reply.statusCode !== 200 || typeof payload !== 'string') return done(null, payload);
      let envelope: Envelope<unknown>;
      try {
        envelope = JSON.parse(payload) as Envelope<unknown>;
      } catch {
        return done(null, payload);
      }
      if (envelope?.success !== true || envelope.data === undefined) return done(null, payload);
      const body = `${JSON.stringify(envelope.meta?.nextCursor ?? null)}\n${JSON.stringify(envelope.data)}`;
      const etag = etagOf(body);
      reply.header('etag', etag);
      cache.store
        .store(miss.key, { etag, body }, miss.tags, miss.versions, miss.ttlMs)
        .catch((error: unknown) => onStoreError(request, error));
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
        reply.code(304);
        return done(null, '');
      }
      done(null, payload);
    };
  },
  { name: 'response-cache', dependencies: ['conventions'] },
);

function cacheHeaders(reply: FastifyReply, options: RouteCacheOptions): void {
  if (options.scope === 'private') {
    // The browser may keep it but must revalidate (cheap: 304) so a user's own write shows at once.
    const vary = reply.getHeader('vary');
    reply
      .header('cache-control', 'private, no-cache')
      .header('vary', vary ? `${String(vary)}, Authorization` : 'Authorization');
  } else {
    reply.header('cache-control', `public, max-age=${options.ttlSeconds}`);
  }
}
