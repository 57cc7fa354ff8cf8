import { validationError } from '../../platform/http/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import type { RequestMeta } from './context.ts';
import type { AuthDb, AuthTrx } from './tables.ts';

/**
 * Every auth decision lands here, success or failure, so an admin can answer
 * "who signed in to this account, from where, and what failed". Details hold
 * reasons and ids only: never passwords, tokens, codes or secrets.
 */
export type AuditAction =
  | 'register'
  | 'login'
  | 'logout'
  | 'logout-all'
  | 'session.revoke'
  | 'refresh'
  | 'refresh.reuse'
  | 'mfa.challenge'
  | 'mfa.enable'
  | 'mfa.disable'
  | 'mfa.recovery-codes'
  | 'reauthenticate'
  | 'email.verify'
  | 'password.forgot'
  | 'password.reset'
  | 'password.change'
  | 'oauth.login'
  | 'identity.link'
  | 'identity.unlink'
  | 'account.status'
  | 'account.role';

export interface AuditEntry {
  userId: string | null;
  action: AuditAction;
  outcome: 'success' | 'failure';
  meta?: RequestMeta;
  detail?: Record<string, unknown>;
}

export async function audit(db: AuthDb | AuthTrx, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('auth_audit_log')
    .values({
      id: newId(),
      user_id: entry.userId,
      action: entry.action,
      outcome: entry.outcome,
      ip: entry.meta?.ip ?? null,
      user_agent: entry.meta?.userAgent ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute();
}

export interface AuditRecord {
  id: string;
  occurredAt: string;
  userId: string | null;
  action: string;
  outcome: 'success' | 'failure';
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Newest first; ids are UUIDv7, so id order is time order and the keyset cursor is the id. */
export async function listAudit(
  db: AuthDb,
  query: { userId?: string; limit: number; cursor?: string },
): Promise<Page<AuditRecord>> {
  const after = decodeCursor<{ id: string }>(query.cursor, ['id']);
  if (after && !UUID.test(String(after.id))) throw validationError('cursor is not valid', 'cursor');
  let select = db
    .selectFrom('auth_audit_log')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(query.limit + 1);
  if (query.userId) select = select.where('user_id', '=', query.userId);
  if (after) select = select.where('id', '<', after.id);
  const rows = await select.execute();
  return toPage(
    rows.map((row) => ({
      id: row.id,
      occurredAt: row.occurred_at.toISOString(),
      userId: row.user_id,
      action: row.action,
      outcome: row.outcome,
      ip: row.ip,
      userAgent: row.user_agent,
      detail: row.detail,
    })),
    query.limit,
    (row) => ({ id: row.id }),
  );
}
