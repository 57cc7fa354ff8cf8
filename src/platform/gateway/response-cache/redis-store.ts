import type { RedisClient } from '../../redis/client.ts';
import { tickBatcher } from '../tick-batcher.ts';
import type { Lookup, ResponseCacheStore } from './store.ts';

/**
 * Several lookups in one call (tick-batcher.ts). ARGV[1] = how many, then the
 * number of tag keys of each; KEYS = for each lookup its entry, then its tag
 * versions. Each answer: {1, etag, body} when the entry's versions are current,
 * else {0, current versions}.
 *
 * Keys carry the `{rc}` hash tag: a lookup reads an entry and its tags' versions
 * in one script, which on Redis Cluster needs them all in one slot.
 */
const LOOKUP = `
local out = {}
local k = 0
for l = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[l + 1])
  local versions = {}
  for i = 1, n do versions[i] = redis.call('GET', KEYS[k + 1 + i]) or '0' end
  local now = table.concat(versions, ',')
  local e = redis.call('HMGET', KEYS[k + 1], 'v', 'e', 'b')
  if e[1] and e[1] == now then
    out[l] = {1, e[2], e[3]}
  else
    out[l] = {0, now}
  end
  k = k + 1 + n
end
return out
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

type ScriptRedis = RedisClient & {
  o2oCacheLookup(...args: (string | number)[]): Promise<Array<[number, string, string?]>>;
  o2oCacheStore(...args: (string | number)[]): Promise<void>;
  o2oCacheInvalidate(...args: (string | number)[]): Promise<void>;
};

export function createRedisResponseCacheStore(redis: RedisClient, prefix: string): ResponseCacheStore {
  redis.defineCommand('o2oCacheLookup', { lua: LOOKUP });
  redis.defineCommand('o2oCacheStore', { numberOfKeys: 1, lua: STORE });
  redis.defineCommand('o2oCacheInvalidate', { lua: INVALIDATE });
  const r = redis as ScriptRedis;
  const entryKey = (key: string) => `${prefix}{rc}:e:${key}`;
  const tagKey = (tag: string) => `${prefix}{rc}:t:${tag}`;
  const lookupAll = async (batch: Array<{ key: string; tags: string[] }>): Promise<Lookup[]> => {
    const keys = batch.flatMap(({ key, tags }) => [entryKey(key), ...tags.map(tagKey)]);
    const replies = await r.o2oCacheLookup(
      keys.length,
      ...keys,
      batch.length,
      ...batch.map((l) => l.tags.length),
    );
    return replies.map((reply) =>
      reply[0] === 1
        ? { hit: true, entry: { etag: reply[1], body: reply[2] ?? '' } }
        : { hit: false, versions: reply[1] },
    );
  };
  const lookup = tickBatcher(lookupAll);
  return {
    kind: 'redis',
    lookup: (key, tags) => lookup({ key, tags }),
    async store(key, entry, _tags, versions, ttlMs) {
      await r.o2oCacheStore(entryKey(key), versions, entry.etag, entry.body, ttlMs);
    },
    async invalidate(tags) {
      if (tags.length > 0) await r.o2oCacheInvalidate(tags.length, ...tags.map(tagKey));
    },
    async close() {},
  };
}
