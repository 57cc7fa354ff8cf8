import { AppError } from '../../platform/http/errors.ts';
import type { Platform } from '../../platform/platform.ts';
import { forgetProfile } from './cache.ts';
import * as repo from './repo.ts';
import * as service from './service.ts';
import type { UsersDb } from './tables.ts';

declare module '../../platform/bus/events.ts' {
  interface EventMap {
    /** A person asked to be forgotten: every module erases what it holds about them. */
    'user.deleted': { userId: string };
    /** An admin suspended an account: sessions end and sign-in is refused until unsuspended. */
    'user.suspended': { userId: string; reason: string | null };
    'user.unsuspended': { userId: string };
  }
}

/** What users publishes, in the transaction of the change. */
export const USERS_EVENTS = ['user.deleted', 'user.suspended', 'user.unsuspended'] as const;

/**
 * What users consumes, as the `users` group: `user.registered` creates the
 * profile with the display name given at sign-up, in the handler's
 * transaction. The user's first request may have created the profile
 * already (without a name): then the name fills the gap, and never
 * overwrites one the user chose. A redelivery changes nothing.
 */
export function consumeUsersEvents(platform: Platform): void {
  platform.bus.consume('users', ['user.registered'], async (event, trx) => {
    const db = trx as unknown as UsersDb;
    const { userId, displayName } = event.data;
    let profile: Awaited<ReturnType<typeof service.ensureProfile>>;
    try {
      profile = await service.ensureProfile(db, userId, { displayName });
    } catch (error) {
      // An account erased before its registration event arrived stays erased: nothing to create.
      if (error instanceof AppError) return;
      throw error;
    }
    if (profile.display_name === null && displayName.trim() !== '') {
      await repo.updateProfile(db, { userId }, { display_name: displayName.trim() });
      // Before the commit, so a read in between may cache the old profile for the route's TTL (30 s) at most.
      await forgetProfile(platform, userId);
    }
  });
}
