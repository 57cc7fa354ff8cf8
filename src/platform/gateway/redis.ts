import type { RedisTarget } from '../config.ts';
import { connectRedis, type RedisClient } from '../redis/client.ts';

/**
 * The gateway's own Redis connection. Unlike the platform cache it never
 * queues commands while disconnected and gives up on a slow answer quickly:
 * a rate-limit or cache decision that waits on a dead Redis would stall every
 * request, so callers get an error at once and fall back to process memory.
 */
export function createGatewayRedis(target: RedisTarget, commandTimeoutMs = 250): RedisClient {
  const redis = connectRedis(target, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  // Errors surface as failed commands, which the callers handle; never as crashes.
  redis.on('error', () => {});
  return redis;
}

/**
 * Waits (briefly) for the first connection, so a fresh process counts in Redis
 * from its first request rather than starting on per-process counters. If
 * Redis does not answer in time the process starts anyway, on the fallback.
 */
export async function redisReady(redis: RedisClient, timeoutMs = 2000): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}
