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
 * lifetime instead (`nextReveal`).
 */
export const monthsTag = (userId: string) => `calendar.months:${userId}`;

export const monthCacheTags = (userId: string) => [monthsTag(userId), coupleTag(userId), profileTag(userId)];

export function forgetMonths(platform: Platform, userIds: Array<string | null>): Promise<void> {
  return platform.responseCache.invalidate(userIds.filter((id): id is string => id !== null).map(monthsTag));
}

/**
 * When a month read from these rows stops being what `viewerId` should see
 * without any write: the first reveal of a surprise hidden from them
 * (undefined: nothing in it changes with time).
 */
export function nextReveal(rows: EventRow[], viewerId: string, now = new Date()): Date | undefined {
  let first: Date | undefined;
  for (const row of rows) {
    if (visibleTo(row, viewerId, now) || row.reveal_at === null) continue;
    if (first === undefined || row.reveal_at < first) first = row.reveal_at;
  }
  return first;
}
