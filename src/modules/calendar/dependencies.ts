import type { Platform } from '../../platform/platform.ts';
import {
  type CoupleDates,
  cachedActiveCoupleOf,
  coupleDatesOf,
  lockActiveCouples,
  partnerOf,
} from '../couples/index.ts';
import { profileService, regionalSettings } from '../users/index.ts';

/** Cache tags other modules invalidate: a couple (un)linked (couples), a profile changed (users). */
export { coupleTag } from '../couples/index.ts';
export { profileTag } from '../users/index.ts';

/**
 * The one file where the calendar meets other modules (couples, users):
 * everything it needs from them goes through this port.
 */
export interface CoupleFacts {
  coupleId: string;
  partnerId: string | null;
}

export type { CoupleDates };

export interface CalendarDeps {
  /** The caller's active couple, or null (couples: `cachedActiveCoupleOf`). */
  coupleOf(platform: Platform, userId: string): Promise<CoupleFacts | null>;
  /** Of these couples, the active ones, locked until the caller's transaction ends (couples: `lockActiveCouples`). */
  lockActiveCouples(trx: unknown, coupleIds: string[]): Promise<Set<string>>;
  /** When the couple linked, started and celebrates (couples: `coupleDatesOf`). */
  datesOf(platform: Platform, coupleId: string): Promise<CoupleDates | null>;
  /** The user's IANA time zone from their profile (users); 'UTC' without a profile. */
  timeZoneOf(platform: Platform, userId: string): Promise<string>;
  /** The user's BCP 47 locale (users); 'en' without a profile. */
  localeOf(platform: Platform, userId: string): Promise<string>;
  /**
   * Birthdays of the caller and the partner as the caller may see them
   * (users: the profile views `profileService().seenBy`, which show a
   * partner's birthday), keyed by user id; null where none is set.
   */
  birthdaysSeenBy(
    platform: Platform,
    callerId: string,
    userIds: string[],
  ): Promise<Map<string, string | null>>;
}

export const defaultDeps: CalendarDeps = {
  coupleOf: (platform, userId) => cachedActiveCoupleOf(platform, userId),
  lockActiveCouples: (trx, coupleIds) => lockActiveCouples(trx as never, coupleIds),
  datesOf: (platform, coupleId) => coupleDatesOf(platform.database.db, coupleId),
  async timeZoneOf(platform, userId) {
    return (await regionalSettings(platform, userId))?.timeZone ?? 'UTC';
  },
  async localeOf(platform, userId) {
    return (await regionalSettings(platform, userId))?.locale ?? 'en';
  },
  async birthdaysSeenBy(platform, callerId, userIds) {
    const views = await profileService(platform, partnerOf)
      .seenBy(callerId, userIds)
      .catch(() => new Map());
    const result = new Map<string, string | null>();
    for (const [id, view] of views) {
      const birthday = (view as { birthday?: string | null }).birthday;
      result.set(id, typeof birthday === 'string' ? birthday : null);
    }
    return result;
  },
};
