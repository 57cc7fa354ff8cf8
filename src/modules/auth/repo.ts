import { type Selectable, sql } from 'kysely';
import type { Role } from '../../platform/http/auth-context.ts';
import { validationError } from '../../platform/http/errors.ts';
import { displayNames } from '../users/index.ts';
import type { AccountStatus, AuthDb, AuthTables, AuthTrx, OneTimePurpose } from './tables.ts';

/** SQL for accounts, one-time tokens and identities; sessions live in sessions.ts. */
export type AccountRow = Selectable<AuthTables['auth_accounts']>;
type Executor = AuthDb | AuthTrx;

export interface UserView {
  id: string;
  email: string;
  /** The users profile's (its one home); null for a profile without one. */
  displayName: string | null;
  role: Role;
  emailVerified: boolean;
}

export function toUserView(row: AccountRow, displayName: string | null): UserView {
  return {
    id: row.id,
    email: row.email,
    displayName,
    role: row.role,
    emailVerified: row.email_verified_at !== null,
  };
}

// The WHATWG rule browsers apply to <input type=email>: strict enough to catch typos, no RFC 5322 exotica.
const EMAIL =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Trimmed and lower-cased; a 400 on the `email` field when it is not an address. */
export function normaliseEmail(email: string): string {
  const normalised = email.trim().toLowerCase();
  if (normalised.length > 254 || !EMAIL.test(normalised)) {
    throw validationError('email is not a valid email address', 'email');
  }
  return normalised;
}

/**
 * The account as the API shows it, with the display name read from the users
 * profile through `executor` (a transaction sees the profile it just created).
 */
export async function userViewOf(executor: Executor, row: AccountRow): Promise<UserView> {
  return toUserView(row, (await displayNames(executor, [row.id])).get(row.id) ?? null);
}

export function findAccountByEmail(db: Executor, email: string): Promise<AccountRow | undefined> {
  return db.selectFrom('auth_accounts').selectAll().where('email', '=', email).executeTakeFirst();
}

export function findAccount(db: Executor, scope: { userId: string }): Promise<AccountRow | undefined> {
  return db.selectFrom('auth_accounts').selectAll().where('id', '=', scope.userId).executeTakeFirst();
}

/** Id and email of the given accounts that are not deleted, in one statement. */
export async function accountEmails(db: Executor, userIds: string[]) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('auth_accounts')
    .select(['id', 'email'])
    .where('id', '=', sql<string>`any(${[...new Set(userIds)]}::uuid[])`)
    .where('status', '!=', 'deleted')
    .execute();
}

export async function updateAccount(
  db: Executor,
  scope: { userId: string },
  changes: Partial<{
    password_hash: string | null;
    email_verified_at: Date | null;
    mfa_enabled_at: Date | null;
    status: AccountStatus;
    role: Role;
  }>,
): Promise<void> {
  await db
    .updateTable('auth_accounts')
    .set({ ...changes, updated_at: new Date() })
    .where('id', '=', scope.userId)
    .execute();
}

export async function insertOneTimeToken(
  db: Executor,
  scope: { userId: string },
  token: { hash: Buffer; purpose: OneTimePurpose; ttlSeconds: number },
): Promise<void> {
  await db
    .insertInto('auth_one_time_tokens')
    .values({
      token_hash: token.hash,
      user_id: scope.userId,
      purpose: token.purpose,
      expires_at: new Date(Date.now() + token.ttlSeconds * 1000),
    })
    .execute();
}

/** The user a live token belongs to, without spending it. */
export async function peekOneTimeToken(
  db: Executor,
  hash: Buffer,
  purpose: OneTimePurpose,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('auth_one_time_tokens')
    .select('user_id')
    .where('token_hash', '=', hash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  return row?.user_id;
}

/** Spends a token atomically: of two concurrent uses, exactly one gets the user id. */
export async function consumeOneTimeToken(
  db: Executor,
  hash: Buffer,
  purpose: OneTimePurpose,
): Promise<string | undefined> {
  const row = await db
    .updateTable('auth_one_time_tokens')
    .set({ used_at: new Date() })
    .where('token_hash', '=', hash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returning('user_id')
    .executeTakeFirst();
  return row?.user_id;
}
