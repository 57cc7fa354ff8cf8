import type pg from 'pg';
import { PgListener } from './bus/listener.ts';
import type { RedisTarget } from './config.ts';
import { createGatewayRedis } from './gateway/redis.ts';
import { connectRedis } from './redis/client.ts';

/**
 * A message every process of the deployment hears, for state each process
 * keeps in memory (the response cache's invalidations, revoked sessions).
 * Redis pub/sub when REDIS_URL is set; otherwise PostgreSQL NOTIFY on the
 * database the processes share, heard on a LISTEN connection of its own
 * (DATABASE_DIRECT_URL: behind PgBouncer in transaction mode LISTEN is lost).
 * Either way delivery is best effort, within milliseconds: a process that was
 * not listening misses the message, so `onConnect` runs on every (re)connect
 * and the owner reloads from the database what it may have missed.
 */
export interface Broadcast {
  readonly kind: 'redis' | 'postgres';
  /** Tells every process (this one too). Rejects when the transport is down. */
  publish(message: string): Promise<void>;
  close(): Promise<void>;
}

export interface BroadcastOptions {
  channel: string;
  onMessage: (message: string) => void;
  /** Listening (again): anything sent while not listening was missed. */
  onConnect?: () => void;
  onError: (error: unknown) => void;
}

/** NOTIFY payloads must stay under 8,000 bytes; publishers split longer messages. */
export const MAX_BROADCAST_BYTES = 7_000;

export function createBroadcast(
  redis: RedisTarget | undefined,
  database: { url: string; pool: pg.Pool },
  options: BroadcastOptions,
): Broadcast {
  return redis ? redisBroadcast(redis, options) : pgBroadcast(database, options);
}

export function pgBroadcast(database: { url: string; pool: pg.Pool }, options: BroadcastOptions): Broadcast {
  const listener = new PgListener(database.url, options.onError, `one2one-love-${options.channel}`);
  listener.on(options.channel, options.onMessage);
  if (options.onConnect) listener.onConnect(options.onConnect);
  listener.begin();
  return {
    kind: 'postgres',
    async publish(message) {
      await database.pool.query('select pg_notify($1, $2)', [options.channel, message]);
    },
    close: () => listener.close(),
  };
}

function redisBroadcast(redis: RedisTarget, options: BroadcastOptions): Broadcast {
  // A subscribed connection can do nothing else, so publishing takes a second one; like the
  // gateway's, it fails at once while Redis is away instead of holding up the request.
  const publisher = createGatewayRedis(redis);
  const subscriber = connectRedis(redis, { maxRetriesPerRequest: 1 });
  subscriber.on('error', options.onError);
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === options.channel) options.onMessage(message);
  });
  // ioredis subscribes again by itself after a reconnect; a PING answered after 'ready' comes
  // after that SUBSCRIBE on the same connection, so the owner reloads only once it hears again.
  let subscribed = false;
  const connected = () => options.onConnect?.();
  subscriber.subscribe(options.channel).then(() => {
    subscribed = true;
    connected();
  }, options.onError);
  subscriber.on('ready', () => {
    if (subscribed) subscriber.ping().then(connected, options.onError);
  });
  return {
    kind: 'redis',
    async publish(message) {
      await publisher.publish(options.channel, message);
    },
    async close() {
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
