import type { Platform } from '../../platform.ts';

/**
 * The pool a response-cached route reads from: the primary while the response
 * cache is on, `database.reader` (a replica when configured) when it is off.
 *
 * An invalidation sends the next request of every user to the handler, and
 * what that miss reads is stored as current for the route's TTL.
 * Read-your-writes sends only the writer to the primary; a miss by anyone
 * else (the partner, another device of the user's, an anonymous reader, a
 * worker's write read by its user) on a replica that has not replayed the
 * write yet would store the old answer, fresh to the cache, for up to the
 * TTL. With the cache in front only misses reach the database, so the
 * primary carries little; without it every read does, and the replica takes
 * them (its lag then lasts only as long as the lag).
 */
export function cachedRouteReader(
  platform: Pick<Platform, 'config' | 'database'>,
): Platform['database']['db'] {
  return platform.config.gateway.responseCacheEnabled ? platform.database.db : platform.database.reader;
}
