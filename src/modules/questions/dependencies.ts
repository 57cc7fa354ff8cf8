import type { Platform } from '../../platform/platform.ts';
import { cachedActiveCoupleOf, lockActiveCouples } from '../couples/index.ts';
import { regionalSettings } from '../users/index.ts';

/** Cache tags other modules invalidate: a couple (un)linked (couples), a profile changed (users). */
export { coupleTag } from '../couples/index.ts';
export { partnerProfileTag, profileTag } from '../users/index.ts';

/** Everything the questions module needs from other modules (couples, users), as one port. */
export interface CoupleFacts {
  coupleId: string;
  partnerId: string | null;
}

export interface QuestionsDeps {
  /** The caller's active couple, or null (couples: `cachedActiveCoupleOf`). */
  coupleOf(platform: Platform, userId: string): Promise<CoupleFacts | null>;
  /** Of these couples, the active ones, locked until the caller's transaction ends (couples). */
  lockActiveCouples(trx: unknown, coupleIds: string[]): Promise<Set<string>>;
  /** The user's IANA time zone from their profile (users); 'UTC' without a profile. */
  timeZoneOf(platform: Platform, userId: string): Promise<string>;
}

export const defaultDeps: QuestionsDeps = {
  coupleOf: (platform, userId) => cachedActiveCoupleOf(platform, userId),
  lockActiveCouples: (trx, coupleIds) => lockActiveCouples(trx as never, coupleIds),
  async timeZoneOf(platform, userId) {
    return (await regionalSettings(platform, userId))?.timeZone ?? 'UTC';
  },
};
