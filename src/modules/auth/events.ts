import type { Platform } from '../../platform/platform.ts';
import { audit } from './audit.ts';
import { authContext } from './context.ts';
import { findAccount, updateAccount } from './repo.ts';
import { revokeAllSessions } from './sessions.ts';
import type { AccountStatus, AuthTrx } from './tables.ts';

declare module '../../platform/bus/events.ts' {
  interface EventMap {
    /** An account was created (by password or by an OpenID provider). */
    'user.registered': { userId: string; email: string; displayName: string; method: 'password' | 'oauth' };
    /** A session started (password, password + MFA, or an OpenID provider). */
    'user.logged-in': { userId: string; sessionId: string; method: string };
    /** The password changed (`change` by the user, `reset` by mail link); other sessions are revoked. */
    'user.password-changed': { userId: string; reason: 'change' | 'reset' };
    /** TOTP MFA was switched on. */
    'user.mfa-enabled': { userId: string };
    /** A spent refresh token was presented again; its whole session was revoked. */
    'auth.refresh-reuse-detected': { userId: string; sessionId: string };
  }
}

/**
 * What auth publishes, each written with publish(trx, ...) in the
 * transaction of the change.
 */
export const AUTH_EVENTS = [
  'user.registered',
  'user.logged-in',
  'user.password-changed',
  'user.mfa-enabled',
  'auth.refresh-reuse-detected',
] as const;

/**
 * What auth consumes, as the `auth` group: an account suspended or deleted in
 * the users module ends all its sessions at once (refresh is refused from
 * then on, and every route refuses the sessions' unexpired access tokens
 * with 401 TOKEN_REVOKED, in every process: revocations.ts); unsuspended
 * re-enables sign-in. Written through the handler's transaction, so it happens
 * once. An account auth no longer holds (already erased) needs nothing.
 */
export function consumeAuthEvents(platform: Platform): void {
  platform.bus.consume('auth', ['user.suspended', 'user.unsuspended', 'user.deleted'], async (event, trx) => {
    const db = trx as unknown as AuthTrx;
    const { userId } = event.data;
    const status = STATUS[event.type];
    const account = await findAccount(db, { userId });
    if (!account || account.status === status) return;
    // A deleted account never comes back to life through a late unsuspension.
    if (account.status === 'deleted') return;
    await updateAccount(db, { userId }, { status });
    if (status !== 'active') {
      const ended = await revokeAllSessions(db, { userId }, `account-${status}`);
      // Told before this transaction commits: refusing the tokens a moment early is harmless,
      // the suspension or deletion is already committed in the users module, and a failed
      // commit is retried by the bus.
      const { revocations } = await authContext(platform, console);
      await revocations.announce(ended);
    }
    await audit(db, {
      userId,
      action: 'account.status',
      outcome: 'success',
      detail: { status, actorId: event.actorId, eventId: event.id },
    });
  });
}

const STATUS: Record<'user.suspended' | 'user.unsuspended' | 'user.deleted', AccountStatus> = {
  'user.suspended': 'suspended',
  'user.unsuspended': 'active',
  'user.deleted': 'deleted',
};
