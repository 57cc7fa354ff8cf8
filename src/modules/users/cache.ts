import type { Platform } from '../../platform/platform.ts';

/**
 * GET /v1/users/me is answered from the response cache; every write that
 * changes what it shows (profile, avatar, status) calls `forgetProfile` after
 * its commit. The tag is narrower than the user's own, so writes elsewhere
 * (love notes, calendar) leave the profile cached.
 */
export const profileTag = (userId: string) => `users.profile:${userId}`;

/**
 * "The profile of this user's partner changed": for cached answers that read
 * the partner's profile too (the daily question's day is in the time zone of
 * one of the two). A profile update invalidates it for the partner.
 */
export const partnerProfileTag = (userId: string) => `users.partner-profile:${userId}`;

export function forgetProfile(
  platform: Platform,
  userId: string,
  partnerId: string | null = null,
): Promise<void> {
  return platform.responseCache.invalidate(
    partnerId === null ? [profileTag(userId)] : [profileTag(userId), partnerProfileTag(partnerId)],
  );
}
