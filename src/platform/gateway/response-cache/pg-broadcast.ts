import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { MAX_BROADCAST_BYTES, pgBroadcast } from '../../broadcast.ts';
import type { ResponseCacheStore } from './store.ts';

const CHANNEL = 'o2o_response_cache';

/**
 * Without Redis every process keeps its own response cache, so a change made
 * through one process would leave the others serving the old answer until
 * its TTL ran out. This carries every invalidation to the other processes on
 * the same database with PostgreSQL NOTIFY (delivered at commit, within
 * milliseconds) and applies theirs here. LISTEN needs a connection of its own
 * (a pooled one loses it); behind PgBouncer in transaction mode, run with Redis.
 */
export function withPgBroadcast(
  local: ResponseCacheStore,
  database: { url: string; pool: pg.Pool },
  onError: (error: unknown) => void,
): ResponseCacheStore {
  const origin = randomUUID();
  const broadcast = pgBroadcast(database, {
    channel: CHANNEL,
    onMessage(payload) {
      let message: { origin?: unknown; tags?: unknown };
      try {
        message = JSON.parse(payload);
      } catch {
        return;
      }
      if (message.origin === origin || !Array.isArray(message.tags)) return;
      const tags = message.tags.filter((tag): tag is string => typeof tag === 'string');
      local.invalidate(tags).catch(onError);
    },
    onError,
  });

  // The invalidations of one event-loop turn share one NOTIFY: under load many requests finish
  // their writes in the same turn, and a statement each (a pool checkout and a round trip) was
  // half of a love note's statements. Each caller still answers only after its tags are sent.
  let pending: { tags: Set<string>; sent: Promise<void> } | undefined;
  const send = (tags: string[]): Promise<void> => {
    if (!pending) {
      const batch = { tags: new Set<string>(), sent: Promise.resolve() };
      batch.sent = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        // Later callers start a new batch: this one's tags are final from here.
        if (pending === batch) pending = undefined;
        for (const chunk of payloads(origin, [...batch.tags])) {
          await broadcast.publish(chunk);
        }
      });
      pending = batch;
    }
    for (const tag of tags) pending.tags.add(tag);
    return pending.sent;
  };

  return {
    kind: local.kind,
    lookup: (key, tags) => local.lookup(key, tags),
    store: (key, entry, tags, atLookup, ttlMs) => local.store(key, entry, tags, atLookup, ttlMs),
    async invalidate(tags) {
      await local.invalidate(tags);
      await send(tags);
    },
    async close() {
      await broadcast.close();
      await local.close();
    },
  };
}

function* payloads(origin: string, tags: string[]): Generator<string> {
  let batch: string[] = [];
  let size = 0;
  for (const tag of tags) {
    if (batch.length > 0 && size + tag.length + 3 > MAX_BROADCAST_BYTES) {
      yield JSON.stringify({ origin, tags: batch });
      batch = [];
      size = 0;
    }
    batch.push(tag);
    size += tag.length + 3;
  }
  if (batch.length > 0) yield JSON.stringify({ origin, tags: batch });
}
