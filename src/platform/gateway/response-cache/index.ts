import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { Counter, type Registry } from 'prom-client';
import type { Config } from '../../config.ts';
import { createGatewayRedis, redisReady } from '../redis.ts';
import { createMemoryResponseCacheStore } from './memory-store.ts';
import { withPgBroadcast } from './pg-broadcast.ts';
import { createRedisResponseCacheStore } from './redis-store.ts';
import type { ResponseCacheStore } from './store.ts';

/**
 * The response cache's public face, on `platform.responseCache`. Modules call
 * `invalidate(tags)` after a write commits (or from an event consumer), e.g.
 * a new love note: `invalidate([cacheTags.user(senderId), cacheTags.user(recipientId)])`.
 */
export interface ResponseCache {
  readonly kind: 'redis' | 'memory';
  readonly store: ResponseCacheStore;
  /**
   * Makes every cached response carrying any of these tags stale, on every
   * process. Never throws: if Redis is down the entries expire by their TTL.
   */
  invalidate(tags: string[]): Promise<void>;
  /** Resolves once the store answers (or after a short wait); false if it does not. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** Tag names shared by routes and writers, so both spell them the same way. */
export const cacheTags = {
  /** Every private response cached for this user (added to each one automatically). */
  user: (userId: string) => `user:${userId}`,
  /** Every response of one route, e.g. `route('GET /v1/content/articles')` (added automatically). */
  route: (methodAndPattern: string) => `route:${methodAndPattern}`,
};

export function createResponseCache(
  config: Config,
  metrics: Registry,
  log?: Pick<FastifyBaseLogger, 'warn'>,
  /** The database the processes share: without Redis, invalidations reach the others through it. */
  database?: { url: string; pool: pg.Pool },
): ResponseCache {
  const invalidations = new Counter({
    name: 'response_cache_invalidations_total',
    help: 'Tags invalidated in the response cache',
    registers: [metrics],
  });
  const failures = new Counter({
    name: 'response_cache_invalidation_errors_total',
    help: 'Invalidations that could not reach the cache store (entries then expire by TTL)',
    registers: [metrics],
  });
  let store: ResponseCacheStore;
  let release = async () => {};
  let ready = async () => true;
  if (config.redis) {
    const redis = createGatewayRedis(config.redis);
    store = createRedisResponseCacheStore(redis, config.gateway.redisPrefix);
    release = async () => void redis.disconnect();
    ready = () => redisReady(redis);
  } else {
    const local = createMemoryResponseCacheStore(config.gateway.responseCacheMaxEntries);
    store = database
      ? withPgBroadcast(local, database, (error) =>
          log?.warn({ err: error }, 'response cache: invalidation broadcast failed; entries expire by TTL'),
        )
      : local;
  }
  return {
    kind: store.kind,
    store,
    async invalidate(tags) {
      const unique = [...new Set(tags)];
      if (unique.length === 0) return;
      try {
        await store.invalidate(unique);
        invalidations.inc(unique.length);
      } catch (error) {
        failures.inc();
        log?.warn({ err: error, tags: unique }, 'response cache: invalidation failed; entries expire by TTL');
      }
    },
    ready,
    async close() {
      await store.close();
      await release();
    },
  };
}
