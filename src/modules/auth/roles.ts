import type { Kysely } from 'kysely';
import type { Role } from '../../platform/http/auth-context.ts';
import { notFound } from '../../platform/http/errors.ts';
import { audit } from './audit.ts';
import { findAccountByEmail, normaliseEmail, updateAccount } from './repo.ts';
import { revokeAllSessions } from './sessions.ts';
import type { AuthDb } from './tables.ts';

export const ROLES: readonly Role[] = ['user', 'editor', 'admin'];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * Gives the account with this email a role (operators' tool: `npm run cli --
 * users:grant-role`). The role travels in access tokens, so the account's
 * sessions end: the next sign-in carries the new role, and a demoted admin's
 * refresh tokens stop working at once.
 */
export async function grantRole(
  database: Kysely<unknown>,
  input: { email: string; role: Role; actor: string },
): Promise<{ userId: string; previous: Role; role: Role }> {
  const db = database as unknown as AuthDb;
  const email = normaliseEmail(input.email);
  return db.transaction().execute(async (trx) => {
    const account = await findAccountByEmail(trx, email);
    if (!account || account.status === 'deleted') throw notFound(`Account ${email}`);
    if (account.role !== input.role) {
      await updateAccount(trx, { userId: account.id }, { role: input.role });
      await revokeAllSessions(trx, { userId: account.id }, 'role-changed');
    }
    await audit(trx, {
      userId: account.id,
      action: 'account.role',
      outcome: 'success',
      detail: { role: input.role, previous: account.role, actor: input.actor },
    });
    return { userId: account.id, previous: account.role, role: input.role };
  });
}
