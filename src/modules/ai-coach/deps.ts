import type { Platform } from '../../platform/platform.ts';
import { activeCoupleOf, coupleDatesOf } from '../couples/index.ts';
import { profileService } from '../users/index.ts';

/** A published library item the coach may cite (content module: `searchLibrary`). */
export interface LibraryItem {
  id: string;
  slug: string;
  title: string;
  tags: string[];
  excerpt: string;
}

/** What the coach needs from other modules, as one port (tests and the composition root fill it). */
export interface CoachDeps {
  /** Premium plan (payments' entitlements once wired); free by default. */
  isPremium(platform: Platform, userId: string): Promise<boolean>;
  /**
   * Whether the coach is on for this user (the `coach` feature flag once
   * wired); on by default. Off: the routes that talk to the model answer 503.
   */
  isOn(platform: Platform, userId: string): Promise<boolean>;
  /** The content library, when the content module is mounted. */
  library?: (platform: Platform, query: string, limit: number) => Promise<LibraryItem[]>;
  /** Locale and love languages from the profile (users module); null without a profile. */
  profileOf(platform: Platform, userId: string): Promise<{ locale: string; loveLanguages: string[] } | null>;
  /** The active couple's partner and dates (couples module); null when single. */
  coupleOf(
    platform: Platform,
    userId: string,
  ): Promise<{ partnerId: string | null; linkedAt: Date; relationshipStart: string | null } | null>;
}

export interface CoachModuleOptions {
  isPremium?: CoachDeps['isPremium'];
  isOn?: CoachDeps['isOn'];
  library?: CoachDeps['library'];
}

export function depsFrom(options: CoachModuleOptions): CoachDeps {
  return {
    isPremium: options.isPremium ?? (async () => false),
    isOn: options.isOn ?? (async () => true),
    ...(options.library ? { library: options.library } : {}),
    async profileOf(platform, userId) {
      // The profile as its owner sees it: the users module's own read.
      const profile = await profileService(platform, async () => null)
        .get(userId, userId)
        .catch(() => null);
      if (!profile || !('locale' in profile)) return null;
      return { locale: profile.locale ?? 'en', loveLanguages: [...(profile.loveLanguages ?? [])] };
    },
    async coupleOf(platform, userId) {
      const couple = await activeCoupleOf(platform.database.db, userId);
      if (!couple) return null;
      const dates = await coupleDatesOf(platform.database.db, couple.coupleId);
      return {
        partnerId: couple.partnerId,
        linkedAt: dates?.linkedAt ?? new Date(),
        relationshipStart: dates?.relationshipStart ?? null,
      };
    },
  };
}
