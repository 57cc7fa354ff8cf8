import { Redis } from 'ioredis';

/**
 * The gateway's own Redis connection. Unlike the platform cache it never
 * queues commands while disconnected and gives up on a slow answer quickly:
 * a rate-limit or cache decision that waits on a dead Redis would stall every
 * request, so callers get an error at once and fall back to process memory.
 */
export function createGatewayRedis(url: string, commandTimeoutMs = 250): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    // Many requests in the same tick share one round trip.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  // Errors surface as failed commands, which the callers handle; never as crashes.
  redis.on('error', () => {});
  return redis;
}
