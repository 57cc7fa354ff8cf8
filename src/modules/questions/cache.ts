import { hash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Platform } from '../../platform/platform.ts';
import type { Bank } from './bank.ts';
import { coupleTag, partnerProfileTag, profileTag } from './dependencies.ts';

/**
 * `GET /questions/today` is answered from the gateway's response cache, per
 * user. Both partners see the same day, so every write that changes it — an
 * answer (which may reveal both), a guess, a judgement, an erasure — calls
 * `forgetToday` with both partners after its commit and before it answers.
 * Linking and unlinking clear it through the couples module's tag; a profile
 * update of either partner (the couple's day is in one partner's time zone)
 * through the users module's tags. "Today" itself changes at the couple's
 * local midnight without any write: the entry's lifetime ends there
 * (`nextLocalMidnight`). The question bank is part of the key (`bankVersion`).
 */
export const todayTag = (userId: string) => `questions.today:${userId}`;

export const todayCacheTags = (userId: string) => [
  todayTag(userId),
  coupleTag(userId),
  profileTag(userId),
  partnerProfileTag(userId),
];

export function forgetToday(platform: Platform, userIds: Array<string | null>): Promise<void> {
  return platform.responseCache.invalidate(userIds.filter((id): id is string => id !== null).map(todayTag));
}

/** The next local midnight in `zone` after `now`: when "today" becomes another day. */
export function nextLocalMidnight(now: Date, zone: string): Date {
  return DateTime.fromJSDate(now, { zone }).startOf('day').plus({ days: 1 }).toJSDate();
}

const versions = new WeakMap<Bank, string>();

/** A short digest of a bank: processes with another bank (a deploy) never share cached days. */
export function bankVersion(bank: Bank): string {
  let version = versions.get(bank);
  if (version === undefined) {
    version = hash('sha256', JSON.stringify(bank.questions), 'base64url').slice(0, 16);
    versions.set(bank, version);
  }
  return version;
}
