import type { RedisTarget } from '../config.ts';
import { connectRedis, isCluster, type RedisClient } from '../redis/client.ts';
import type { Cache } from './cache.ts';

const INCREMENT = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if value == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return value`;

export function createRedisCache(target: RedisTarget, keyPrefix = 'o2o:'): Cache {
  const redis = connectRedis(target, {
    keyPrefix,
    lazyConnect: false,
    // Fail fast instead of queueing forever while Redis is down; callers decide what a miss means.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
  });
  // Connection errors are reported through ping() and failed commands, not as crashes.
  redis.on('error', () => {});
  redis.defineCommand('o2oIncrement', { numberOfKeys: 1, lua: INCREMENT });
  const incrementScript = redis as RedisClient & {
    o2oIncrement(key: string, by: number, ttl: number): Promise<number>;
  };
  return {
    kind: 'redis',
    async get<T>(key: string) {
      const raw = await redis.get(key);
      return raw === null ? undefined : (JSON.parse(raw) as T);
    },
    async set(key, value, ttlSeconds) {
      await redis.set(key, JSON.stringify(value), 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    },
    async delete(...keys) {
      if (keys.length === 0) return;
      // On a cluster the keys may live in different slots (one DEL would be CROSSSLOT).
      if (isCluster(redis)) await Promise.all(keys.map((key) => redis.del(key)));
      else await redis.del(...keys);
    },
    async increment(key, by, ttlSeconds) {
      return incrementScript.o2oIncrement(key, by, Math.max(1, Math.ceil(ttlSeconds)));
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      redis.disconnect();
    },
  };
}
