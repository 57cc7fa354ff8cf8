import type { Platform } from '../../platform/platform.ts';

/**
 * GET /v1/users/me is answered from the response cache; every write that
 * changes what it shows (profile, avatar, status) calls `forgetProfile` after
 * its commit. The tag is narrower than the user's own, so writes elsewhere
 * (love notes, calendar) leave the profile cached.
 */
export const profileTag = (userId: string) => `users.profile:${userId}`;

export function forgetProfile(platform: Platform, userId: string): Promise<void> {
  return platform.responseCache.invalidate([profileTag(userId)]);
}
