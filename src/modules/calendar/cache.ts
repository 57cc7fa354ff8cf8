import type { Platform } from '../../platform/platform.ts';
import { coupleTag, profileTag } from './dependencies.ts';
import type { EventRow } from './tables.ts';
import { visibleTo } from './view.ts';

/**
 * `GET /calendar` (a month) is answered from the gateway's response cache,
 * per user. The month is the couple's, so every write that changes what it
 * shows — an event created, edited or deleted (one-off or recurring, surprise
 * or not), an author's erasure — calls `forgetMonths` with both partners after
 * its commit and before it answers: both partners' cached months go stale on
 * every process. Linking and unlinking clear them through the couples
 * module's tag, a change of the caller's profile (its time zone places the
 * month) through the users module's. What changes with time alone, a
 * surprise revealed to the partner at its `reveal_at`, caps the entry's
 * lifetime instead (`freshForMs`).
 */
export const monthsTag = (userId: string) => `calendar.months:${userId}`;

export const monthCacheTags = (userId: string) => [monthsTag(userId), coupleTag(userId), profileTag(userId)];

export function forgetMonths(platform: Platform, userIds: Array<string | null>): Promise<void> {
  return platform.responseCache.invalidate(userIds.filter((id): id is string => id !== null).map(monthsTag));
}

/**
 * How long a month read from these rows stays what `viewerId` should see
 * without any write: until the first surprise hidden from them is revealed
 * (undefined: nothing changes with time).
 */
export function freshForMs(rows: EventRow[], viewerId: string, now = new Date()): number | undefined {
  let first: number | undefined;
  for (const row of rows) {
    if (visibleTo(row, viewerId, now) || row.reveal_at === null) continue;
    const at = row.reveal_at.getTime();
    if (first === undefined || at < first) first = at;
  }
  return first === undefined ? undefined : first - now.getTime();
}
