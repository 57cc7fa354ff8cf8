import { afterCommit } from '../../platform/bus/after-commit.ts';
import type { EventEnvelope } from '../../platform/bus/events.ts';
import type { HandlerTransaction } from '../../platform/bus/types.ts';
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
  platform.bus.consume('users', ['user.registered'], (event, trx) => onUserRegistered(platform, event, trx));
}

/** The `user.registered` handler (see above). */
export async function onUserRegistered(
  platform: Platform,
  event: EventEnvelope<'user.registered'>,
  trx: HandlerTransaction,
): Promise<void> {
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
    // Once the name is visible: forgotten before the commit, a GET /users/me in between
    // would cache the profile without it for the route's TTL.
    afterCommit(trx, () => forgetProfile(platform, userId));
  }
}
