import type { Platform } from '../../platform/platform.ts';
import { type ActiveCouple, activeCoupleOf } from './access.ts';

/**
 * "Which couple is this user in, with whom" is asked on every love-note send
 * and list, and changes only when this module links, unlinks or erases. The
 * answer is kept in the gateway cache's store (Redis, shared by every process,
 * or this process's memory) under a tag per user that those writes invalidate
 * after their commit. The store's versions are read before the database is,
 * so an answer read just before an unlink can never be kept as current.
 * Routes that show couple-scoped data add `coupleTag(userId)` to their own
 * cache tags, so linking or unlinking clears them too.
 */
export const coupleTag = (userId: string) => `couples.member:${userId}`;

const TTL_MS = 60_000;
type Cached = { coupleId: string; partnerId: string | null } | null;

export async function cachedActiveCoupleOf(
  platform: Platform,
  userId: string,
): Promise<Pick<ActiveCouple, 'coupleId' | 'partnerId'> | null> {
  const store = platform.responseCache.store;
  const key = `couples.active:${userId}`;
  const tags = [coupleTag(userId)];
  let versions: string | undefined;
  try {
    const found = await store.lookup(key, tags);
    if (found.hit) return JSON.parse(found.entry.body) as Cached;
    versions = found.versions;
  } catch {
    // The store is unreachable: the database answers, as it would without a cache.
  }
  const couple = await activeCoupleOf(platform.database.db, userId);
  const value: Cached = couple ? { coupleId: couple.coupleId, partnerId: couple.partnerId } : null;
  if (versions !== undefined) {
    store.store(key, { etag: '', body: JSON.stringify(value) }, tags, versions, TTL_MS).catch(() => {});
  }
  return value;
}

/** After a commit that links, unlinks or removes these users: every process asks the database again. */
export function forgetCouples(platform: Platform, userIds: Array<string | null>): Promise<void> {
  return platform.responseCache.invalidate(userIds.filter((id): id is string => id !== null).map(coupleTag));
}
