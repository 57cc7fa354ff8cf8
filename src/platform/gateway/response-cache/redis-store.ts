import type { Redis } from 'ioredis';
import type { Lookup, ResponseCacheStore } from './store.ts';

/** KEYS[1] = entry, KEYS[2..] = tag versions. One round trip: the entry if its versions are current. */
const LOOKUP = `
local versions = {}
for i = 2, #KEYS do versions[i - 1] = redis.call('GET', KEYS[i]) or '0' end
local now = table.concat(versions, ',')
local e = redis.call('HMGET', KEYS[1], 'v', 'e', 'b')
if e[1] and e[1] == now then return {1, e[2], e[3]} end
return {0, now}
`;

const STORE = `
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'e', ARGV[2], 'b', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
`;

/** Versions outlive every entry by far; a version that expires can only reject entries, never revive one. */
const INVALIDATE = `
for i = 1, #KEYS do
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], 86400)
end
`;

type ScriptRedis = Redis & {
  o2oCacheLookup(...args: string[]): Promise<[number, string, string?]>;
  o2oCacheStore(...args: (string | number)[]): Promise<void>;
  o2oCacheInvalidate(...args: (string | number)[]): Promise<void>;
};

export function createRedisResponseCacheStore(redis: Redis, prefix: string): ResponseCacheStore {
  redis.defineCommand('o2oCacheLookup', { lua: LOOKUP });
  redis.defineCommand('o2oCacheStore', { numberOfKeys: 1, lua: STORE });
  redis.defineCommand('o2oCacheInvalidate', { lua: INVALIDATE });
  const r = redis as ScriptRedis;
  const entryKey = (key: string) => `${prefix}rc:e:${key}`;
  const tagKey = (tag: string) => `${prefix}rc:t:${tag}`;
  return {
    kind: 'redis',
    async lookup(key, tags): Promise<Lookup> {
      const reply = await r.o2oCacheLookup(String(tags.length + 1), entryKey(key), ...tags.map(tagKey));
      if (reply[0] === 1) return { hit: true, entry: { etag: reply[1], body: reply[2] ?? '' } };
      return { hit: false, versions: reply[1] };
    },
    async store(key, entry, _tags, versions, ttlMs) {
      await r.o2oCacheStore(entryKey(key), versions, entry.etag, entry.body, ttlMs);
    },
    async invalidate(tags) {
      if (tags.length > 0) await r.o2oCacheInvalidate(tags.length, ...tags.map(tagKey));
    },
    async close() {},
  };
}
