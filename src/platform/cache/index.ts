import type { RedisTarget } from '../config.ts';
import type { Cache } from './cache.ts';
import { createMemoryCache } from './memory-cache.ts';
import { createRedisCache } from './redis-cache.ts';

export type { Cache } from './cache.ts';

export function createCache(redis: RedisTarget | undefined, keyPrefix?: string): Cache {
  return redis ? createRedisCache(redis, keyPrefix) : createMemoryCache();
}
