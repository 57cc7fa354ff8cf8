/**
 * Where cached responses live: Redis (shared by every process, so one
 * process's invalidation is every process's) or this process's memory.
 *
 * Invalidation is by tag. An entry remembers the version of each of its tags
 * when its data was read; invalidating a tag bumps its version, so every entry
 * carrying it stops matching at once, on every process, in O(1). Because the
 * versions are taken *before* the handler reads the data, a slow request that
 * read data just before a write can never store it as fresh afterwards.
 */
export interface CachedResponse {
  etag: string;
  /**
   * `<nextCursor as JSON>\n<data as JSON>`: JSON text never holds a raw newline, and a
   * hit splices the data into its envelope as it is, without parsing it again.
   */
  body: string;
}

export type Lookup = { hit: true; entry: CachedResponse } | { hit: false; versions: string };

export interface ResponseCacheStore {
  readonly kind: 'redis' | 'memory';
  lookup(key: string, tags: string[]): Promise<Lookup>;
  /** `versions` is what the lookup that missed returned. */
  store(key: string, entry: CachedResponse, tags: string[], versions: string, ttlMs: number): Promise<void>;
  invalidate(tags: string[]): Promise<void>;
  close(): Promise<void>;
}
