import { LRUCache } from 'lru-cache';
import type { CachedResponse, Lookup, ResponseCacheStore } from './store.ts';

/**
 * The in-process cache (no REDIS_URL: one process, so nothing to share).
 * Tag versions live in their own bounded LRU. A tag it has forgotten reads as
 * `floor`, the highest version ever forgotten: never lower than what that tag
 * had, so an entry recorded before its last invalidation cannot match again.
 */
export function createMemoryResponseCacheStore(maxEntries: number, maxTags = 200_000): ResponseCacheStore {
  const entries = new LRUCache<string, { entry: CachedResponse; versions: string }>({ max: maxEntries });
  let sequence = 0;
  let floor = 0;
  const versions = new LRUCache<string, number>({
    // No TTL: forgetting a version raises the floor, which makes every never-invalidated tag
    // miss once, so it should only happen when very many distinct tags were invalidated.
    max: maxTags,
    dispose: (value, _tag, reason) => {
      if (reason === 'evict') floor = Math.max(floor, value);
    },
  });
  const current = (tags: string[]) => tags.map((tag) => versions.get(tag) ?? floor).join(',');
  return {
    kind: 'memory',
    async lookup(key, tags): Promise<Lookup> {
      const now = current(tags);
      const found = entries.get(key);
      if (found && found.versions === now) return { hit: true, entry: found.entry };
      return { hit: false, versions: now };
    },
    async store(key, entry, _tags, atLookup, ttlMs) {
      entries.set(key, { entry, versions: atLookup }, { ttl: ttlMs });
    },
    async invalidate(tags) {
      // A process-wide sequence, not a per-tag +1, so a forgotten version never comes back as an old value.
      for (const tag of tags) versions.set(tag, ++sequence);
    },
    async close() {
      entries.clear();
      versions.clear();
    },
  };
}
