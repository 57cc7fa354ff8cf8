import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../config.ts';

/** A connection to one Redis server or to a Redis Cluster: the commands we use are the same on both. */
export type RedisClient = Redis | Cluster;

/**
 * Opens a client on REDIS_URL or, when REDIS_CLUSTER_NODES is set, on the
 * cluster (ioredis follows MOVED/ASK redirections and refreshes the slot map).
 * On a cluster every multi-key command and script must keep its keys in one
 * hash slot: callers put a `{hash tag}` in such keys (docs/replicas-and-cluster.md).
 */
export function connectRedis(target: RedisTarget, options: RedisOptions = {}): RedisClient {
  if (target.kind === 'single') return new Redis(target.url, options);
  const { keyPrefix, enableOfflineQueue, lazyConnect, retryStrategy, ...redisOptions } = options;
  return new Cluster(target.nodes, {
    ...(keyPrefix !== undefined ? { keyPrefix } : {}),
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    ...(retryStrategy ? { clusterRetryStrategy: retryStrategy } : {}),
    redisOptions,
  });
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}
