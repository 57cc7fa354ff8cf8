import { LRUCache } from 'lru-cache';
import type { Cache } from './cache.ts';

export function createMemoryCache(maxEntries = 50_000): Cache {
  const lru = new LRUCache<string, { value: unknown }>({ max: maxEntries, ttlAutopurge: false });
  return {
    kind: 'memory',
    async get<T>(key: string) {
      return lru.get(key)?.value as T | undefined;
    },
    async set(key, value, ttlSeconds) {
      // Stored as a JSON copy so a caller mutating its object cannot change the cached one.
      lru.set(key, { value: structuredClone(value) }, { ttl: ttlSeconds * 1000 });
    },
    async delete(...keys) {
      for (const key of keys) lru.delete(key);
    },
    async increment(key, by, ttlSeconds) {
      const current = lru.get(key);
      const next = (typeof current?.value === 'number' ? current.value : 0) + by;
      if (current) lru.set(key, { value: next }, { ttl: lru.getRemainingTTL(key) || ttlSeconds * 1000 });
      else lru.set(key, { value: next }, { ttl: ttlSeconds * 1000 });
      return next;
    },
    async ping() {},
    async close() {
      lru.clear();
    },
  };
}
