/**
 * The one cache interface modules see. Values are JSON-serialisable; TTLs are
 * in seconds. Redis when REDIS_URL is set (shared by every process), an
 * in-process LRU otherwise.
 */
export interface Cache {
  readonly kind: 'redis' | 'memory';
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  /** Atomically adds `by` to an integer and returns the new value (starting from 0, with a TTL on creation). */
  increment(key: string, by: number, ttlSeconds: number): Promise<number>;
  /** Resolves when the backing store answers; rejects otherwise (used by /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
