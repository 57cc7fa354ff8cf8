import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { authContext } from './context.ts';
import { revokeAllSessions } from './sessions.ts';
import type { AuthDb } from './tables.ts';

/**
 * What auth holds about a person, for the export ZIP and for erasure. The
 * export leaves out every secret (password hash, MFA secret, token hashes);
 * erasure deletes the account (its sessions, tokens, MFA and identities go
 * with it) and strips the person from the audit log, keeping only
 * the anonymous fact that decisions happened.
 */
export const authPersonalData: PersonalData = {
  async export(platform: Platform, userId: string) {
    const db = platform.database.db as AuthDb;
    const account = await db
      .selectFrom('auth_accounts')
      .select(['id', 'email', 'role', 'status', 'email_verified_at', 'mfa_enabled_at', 'created_at'])
      .where('id', '=', userId)
      .executeTakeFirst();
    const sessions = await db
      .selectFrom('auth_sessions')
      .select([
        'id',
        'created_at',
        'last_used_at',
        'method',
        'user_agent',
        'ip',
        'revoked_at',
        'revoked_reason',
      ])
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
    const identities = await db
      .selectFrom('auth_identities')
      .select(['provider', 'email', 'created_at'])
      .where('user_id', '=', userId)
      .execute();
    const audit = await db
      .selectFrom('auth_audit_log')
      .select(['occurred_at', 'action', 'outcome', 'ip', 'user_agent'])
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
    // The display name and the terms consent are the users module's (profile, consents): in users.json.
    return { account: account ?? null, sessions, identities, auditLog: audit };
  },

  async erase(platform: Platform, userId: string) {
    const db = platform.database.db as AuthDb;
    const ended = await db.transaction().execute(async (trx) => {
      // The sessions go with the account; their unexpired access tokens must stop working too.
      const live = await revokeAllSessions(trx, { userId }, 'account-deleted');
      await trx
        .updateTable('auth_audit_log')
        .set({ user_id: null, ip: null, user_agent: null, detail: '{}' })
        .where('user_id', '=', userId)
        .execute();
      await trx.deleteFrom('auth_accounts').where('id', '=', userId).execute();
      return live;
    });
    await (await authContext(platform, console)).revocations.announce(ended);
  },
};
