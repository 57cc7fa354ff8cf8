import { EventEmitter } from 'node:events';
import { Cluster } from 'ioredis';
import type { RedisTarget } from '../config.ts';
import type { Platform } from '../platform.ts';
import { connectRedis } from '../redis/client.ts';
import type { LiveEvent, LiveEventType } from './live-events.ts';

export type { LiveEvent } from './live-events.ts';
export { eventId } from './live-events.ts';

/**
 * The platform's live fan-out: any module pushes to a user, the realtime
 * routes subscribe for the users connected to this process.
 */
export interface LiveHub {
  /** Sends to every live connection of the user, in any process; fire and forget. */
  push<T extends LiveEventType>(userId: string, event: LiveEvent<T>): void;
  /** Listens for one user's messages in this process; returns the unsubscribe. */
  subscribe(userId: string, listener: (event: LiveEvent) => void): () => void;
  readonly kind: 'redis' | 'memory';
  close(): Promise<void>;
}

const CHANNEL = 'o2o:live:';

/**
 * Fans a user's live messages out to wherever their connections are. With
 * Redis, each process subscribes to the channels of the users connected to it
 * (one channel per user, joined on the first connection, left on the last),
 * so a note delivered by a worker reaches a socket held by any API process.
 * Without Redis, everything happens in this process.
 *
 * On Redis Cluster it uses sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7): a
 * user's channel lives on the shard that owns its slot, so a message crosses
 * one shard instead of being broadcast over the whole cluster bus.
 */
export function createLiveHub(redis: RedisTarget | undefined): LiveHub {
  const local = new EventEmitter();
  local.setMaxListeners(0);
  const emitLocal = (userId: string, event: LiveEvent) => local.emit(userId, event);
  if (!redis) {
    return {
      kind: 'memory',
      push: (userId, event) => emitLocal(userId, event),
      subscribe(userId, listener) {
        local.on(userId, listener);
        return () => local.off(userId, listener);
      },
      close: async () => {},
    };
  }
  const sharded = redis.kind === 'cluster';
  const options = { maxRetriesPerRequest: 1, lazyConnect: false };
  const publisher = connectRedis(redis, options);
  const subscriber =
    redis.kind === 'cluster'
      ? new Cluster(redis.nodes, { shardedSubscribers: true, redisOptions: options })
      : connectRedis(redis, options);
  publisher.on('error', () => {});
  subscriber.on('error', () => {});
  subscriber.on(sharded ? 'smessage' : 'message', (channel: string, raw: string) => {
    try {
      emitLocal(channel.slice(CHANNEL.length), JSON.parse(raw) as LiveEvent);
    } catch {
      // A malformed message on our channel is dropped, not a crash.
    }
  });
  return {
    kind: 'redis',
    push(userId, event) {
      const message = JSON.stringify(event);
      (sharded
        ? publisher.spublish(CHANNEL + userId, message)
        : publisher.publish(CHANNEL + userId, message)
      ).catch(() => {});
    },
    subscribe(userId, listener) {
      if (local.listenerCount(userId) === 0) {
        const channel = CHANNEL + userId;
        (sharded ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel)).catch(() => {});
      }
      local.on(userId, listener);
      return () => {
        local.off(userId, listener);
        if (local.listenerCount(userId) === 0) {
          const channel = CHANNEL + userId;
          (sharded ? subscriber.sunsubscribe(channel) : subscriber.unsubscribe(channel)).catch(() => {});
        }
      };
    },
    async close() {
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}

const hubs = new WeakMap<Platform, LiveHub>();

/** One hub per process (per platform), shared by the API routes and the worker's deliveries. */
export function hubFor(platform: Platform): LiveHub {
  let hub = hubs.get(platform);
  if (!hub) {
    const created = createLiveHub(platform.config.redis);
    hubs.set(platform, created);
    platform.onClose(() => created.close());
    hub = created;
  }
  return hub;
}
