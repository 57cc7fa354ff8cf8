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
import type { CachedResponse } from './store.ts';

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
  /**
   * Part of every key of the route: a process whose answers differ for the same
   * request (another question bank after a deploy) never reads the others' entries.
   */
  variant?: string;
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
  ttlSeconds: number;
  /** Settles the flight other requests for the same entry wait on (single-flight). */
  settle: (entry: CachedResponse | null) => void;
}

/** Real-clock deadlines (epoch ms) past which a request's answer must not be served. */
const deadlines = new WeakMap<FastifyRequest, number>();

/**
 * An entry ends this long before its request's deadline: the store counts the
 * lifetime from when the write reaches it (a Redis round trip later), and
 * processes' clocks differ by milliseconds. A read in that margin just misses.
 */
export const DEADLINE_MARGIN_MS = 100;

/**
 * The answer of this request stays right for `ms` from now, no longer: for
 * answers that change with time alone, without any write (today's question
 * at the couple's local midnight, a surprise at its reveal). The entry it is
 * stored as ends by then (counted from this call, not from the store), and
 * still no later than its route's TTL. The earliest deadline of a request wins;
 * one already reached stores nothing.
 */
export function capCacheLifetime(request: FastifyRequest, ms: number): void {
  const deadline = Date.now() + ms;
  const current = deadlines.get(request);
  deadlines.set(request, current === undefined ? deadline : Math.min(current, deadline));
}

/** The lifetime of a stored entry: the route's jittered TTL, cut to `capMs` (what is left before the deadline). */
export function entryLifetimeMs(
  ttlSeconds: number,
  capMs: number | undefined,
  random = Math.random(),
): number {
  const ttl = jitteredTtlMs(ttlSeconds, random);
  return capMs === undefined ? ttl : Math.min(ttl, Math.floor(capMs));
}

/**
 * A stored entry lives between 80% and 100% of its route's TTL, at random:
 * entries filled together (every user's inbox after a deploy, a burst of
 * traffic) then expire spread over a fifth of the TTL instead of all in the
 * same instant, which would send every one of them to the database at once.
 * Never longer than the TTL, which is the route's promise of freshness.
 */
export function jitteredTtlMs(ttlSeconds: number, random = Math.random()): number {
  return Math.round(ttlSeconds * 1000 * (0.8 + 0.2 * random));
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
    const coalesced = counter(
      'response_cache_coalesced_total',
      'Misses answered by another request computing the same entry at the same time (counted as hits too)',
    );
    // Single-flight: the entries being computed in this process, by key and tag versions.
    // Concurrent misses for one entry (a popular key just expired) wait for the first
    // one's answer instead of each running the handler and its queries.
    const flights = new Map<string, Promise<CachedResponse | null>>();
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
        const key = cacheKey(request, userId, options.variant);
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
        if (found.hit) {
          hits.inc(route);
          return sendEntry(request, reply, found.entry);
        }
        const flightKey = `${key}\n${found.versions}`;
        const flight = flights.get(flightKey);
        // That flight read its data under the same tag versions: as fresh as ours would be.
        const shared = flight ? await flight : null;
        if (shared) {
          coalesced.inc(route);
          hits.inc(route);
          return sendEntry(request, reply, shared);
        }
        missed.inc(route);
        // A waiter whose flight failed runs the handler itself, without leading a new flight.
        const settle = flight ? () => {} : lead(flightKey, reply);
        misses.set(request, { key, tags, versions: found.versions, ttlSeconds: options.ttlSeconds, settle });
        reply.header('x-cache', 'MISS');
      };
    }

    /** Opens the flight of an entry this request computes; the returned function lands it. */
    function lead(flightKey: string, reply: FastifyReply): Miss['settle'] {
      let resolve!: Miss['settle'];
      const settled = new Promise<CachedResponse | null>((r) => {
        resolve = r;
      });
      flights.set(flightKey, settled);
      const settle: Miss['settle'] = (entry) => {
        if (flights.get(flightKey) === settled) flights.delete(flightKey);
        resolve(entry);
      };
      // However the request ends (stored, refused, failed, abandoned), its flight lands.
      reply.raw.once('close', () => settle(null));
      return settle;
    }

    function sendEntry(request: FastifyRequest, reply: FastifyReply, entry: CachedResponse) {
      reply.header('etag', entry.etag).header('x-cache', 'HIT');
      if (matchesIfNoneMatch(request.headers['if-none-match'], entry.etag)) {
        return reply.code(304).send();
      }
      const body = entry.body;
      const newline = body.indexOf('\n');
      const cursor = JSON.parse(body.slice(0, newline)) as string | null;
      const extra = routeOf(request).config.paginated ? { nextCursor: cursor } : undefined;
      // Sent as text, so the envelope is built here rather than by the serializer.
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .send(successEnvelopeText(body.slice(newline + 1), meta(request.id, extra)));
    }

    // Route-level, so uncached routes pay nothing. onSend sees the serialized
    // envelope: what is stored is exactly what the response schema let out,
    // never a field the handler returned but the schema strips (a hash, a secret).
    const storeOnMiss: onSendHookHandler = (request, reply, payload, done) => {
      const miss = misses.get(request);
      if (!miss) return done(null, payload);
      const entry = reply.statusCode === 200 ? cacheableEntry(payload) : null;
      miss.settle(entry);
      if (!entry) return done(null, payload);
      const { etag } = entry;
      reply.header('etag', etag);
      const deadline = deadlines.get(request);
      const lifetime = entryLifetimeMs(
        miss.ttlSeconds,
        deadline === undefined ? undefined : deadline - Date.now() - DEADLINE_MARGIN_MS,
      );
      if (lifetime > 0) {
        cache.store
          .store(miss.key, entry, miss.tags, miss.versions, lifetime)
          .catch((error: unknown) => onStoreError(request, error));
      }
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
        reply.code(304);
        return done(null, '');
      }
      done(null, payload);
    };
  },
  { name: 'response-cache', dependencies: ['conventions'] },
);

/** How every route's serializer writes a success envelope: its properties in the schema's order. */
const SUCCESS_HEAD = '{"success":true,"data":';
const SUCCESS_TAIL = ',"errors":null,"meta":';

/** The data and cursor of a successful envelope, as stored; null for anything else. */
export function cacheableEntry(payload: unknown): CachedResponse | null {
  if (typeof payload !== 'string') return null;
  const spliced = spliceData(payload);
  if (spliced) return entryOf(spliced.cursor, spliced.data);
  let envelope: Envelope<unknown>;
  try {
    envelope = JSON.parse(payload) as Envelope<unknown>;
  } catch {
    return null;
  }
  if (envelope?.success !== true || envelope.data === undefined) return null;
  return entryOf(envelope.meta?.nextCursor ?? null, JSON.stringify(envelope.data));
}

function entryOf(cursor: string | null, data: string): CachedResponse {
  const body = `${JSON.stringify(cursor)}\n${data}`;
  return { etag: etagOf(body), body };
}

/**
 * The data's text cut out of a serialized success envelope, without parsing
 * it again (a 20-note page is ~10 kB: parsing and re-stringifying it was most
 * of what storing a miss cost). Only `meta` is parsed. The tail's marker
 * cannot occur inside the data: its quotes would be escaped in any string.
 * Null when the payload is not in the serializer's shape (the caller parses).
 */
function spliceData(payload: string): { data: string; cursor: string | null } | null {
  if (!payload.startsWith(SUCCESS_HEAD)) return null;
  const tail = payload.lastIndexOf(SUCCESS_TAIL);
  if (tail <= SUCCESS_HEAD.length || !payload.endsWith('}')) return null;
  let meta: { nextCursor?: unknown };
  try {
    meta = JSON.parse(payload.slice(tail + SUCCESS_TAIL.length, -1)) as { nextCursor?: unknown };
  } catch {
    return null;
  }
  const cursor = meta?.nextCursor ?? null;
  if (cursor !== null && typeof cursor !== 'string') return null;
  return { data: payload.slice(SUCCESS_HEAD.length, tail), cursor };
}

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
