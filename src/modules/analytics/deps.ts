import type { Platform } from '../../platform/platform.ts';
import { cachedActiveCoupleOf } from '../couples/index.ts';
import { currentConsentVersions, hasCurrentConsent, withCurrentConsent } from '../users/index.ts';

/**
 * The one file where analytics meets other modules: the couple a user is in
 * (couples) and whether they agreed to analytics (users' consent record).
 */
export interface AnalyticsDeps {
  /** The user's active couple id, or null. */
  coupleOf(platform: Platform, userId: string): Promise<string | null>;
  /** Whether the user's latest `analytics` consent decision is a grant; `executor` may be a transaction. */
  consented(platform: Platform, userId: string, executor?: unknown): Promise<boolean>;
  /** Which of the users' latest `analytics` decisions are grants, in one read; `executor` may be a transaction. */
  consentedAmong(platform: Platform, userIds: string[], executor?: unknown): Promise<Set<string>>;
}

export const defaultDeps: AnalyticsDeps = {
  async coupleOf(platform, userId) {
    return (await cachedActiveCoupleOf(platform, userId))?.coupleId ?? null;
  },
  consented(platform, userId, executor) {
    return hasCurrentConsent(
      (executor ?? platform.database.db) as Parameters<typeof hasCurrentConsent>[0],
      currentConsentVersions(platform.config),
      userId,
      'analytics',
    );
  },
  consentedAmong(platform, userIds, executor) {
    return withCurrentConsent(
      (executor ?? platform.database.db) as Parameters<typeof withCurrentConsent>[0],
      currentConsentVersions(platform.config),
      userIds,
      'analytics',
    );
  },
};
