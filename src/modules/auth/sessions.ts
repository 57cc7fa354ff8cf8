import type { Selectable } from 'kysely';
import { publish } from '../../platform/bus/publish.ts';
import { unauthenticated } from '../../platform/http/errors.ts';
import { newId } from '../../platform/ids.ts';
import { audit } from './audit.ts';
import type { AuthContext, RequestMeta } from './context.ts';
import { randomToken, tokenHash } from './crypto.ts';
import { firstRefreshToken, type RedisRefreshTokens, successorRefreshToken } from './refresh-redis.ts';
import { type AccountRow, type UserView, userViewOf } from './repo.ts';
import type { AuthDb, AuthTables, AuthTrx } from './tables.ts';

/**
 * Sessions and their refresh tokens. A session is a token family: every
 * rotation adds a token to it, and revoking the session kills them all.
 */
export interface AuthResult {
  user: UserView;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export type SessionRow = Selectable<AuthTables['auth_sessions']>;
type Executor = AuthDb | AuthTrx;

/** Inside this window a spent refresh token yields the pair it was rotated into (two tabs racing). */
export const REUSE_GRACE_MS = 10_000;

async function issueRefreshToken(
  ctx: AuthContext,
  trx: Executor,
  session: { id: string; user_id: string; expires_at: Date },
): Promise<string> {
  const expires = Math.min(
    Date.now() + ctx.config.refreshTokenTtlSeconds * 1000,
    session.expires_at.getTime(),
  );
  if (ctx.redisTokens) {
    const token = firstRefreshToken();
    await ctx.redisTokens.insert(token, {
      sessionId: session.id,
      userId: session.user_id,
      expiresAt: expires,
    });
    return token;
  }
  const token = randomToken();
  await trx
    .insertInto('auth_refresh_tokens')
    .values({
      token_hash: tokenHash(token),
      session_id: session.id,
      user_id: session.user_id,
      expires_at: new Date(expires),
    })
    .execute();
  return token;
}

export async function startSession(
  ctx: AuthContext,
  trx: AuthTrx,
  account: AccountRow,
  meta: RequestMeta,
  method: string,
): Promise<AuthResult & { sessionId: string }> {
  const session = {
    id: newId(),
    user_id: account.id,
    expires_at: new Date(Date.now() + ctx.config.sessionMaxAgeSeconds * 1000),
  };
  await trx
    .insertInto('auth_sessions')
    .values({ ...session, method, user_agent: meta.userAgent?.slice(0, 512) ?? null, ip: meta.ip })
    .execute();
  const refreshToken = await issueRefreshToken(ctx, trx, session);
  return {
    sessionId: session.id,
    user: await userViewOf(trx, account),
    accessToken: await ctx.accessTokens.sign(account, session.id),
    refreshToken,
    expiresIn: ctx.config.accessTokenTtlSeconds,
  };
}

export type RotateOutcome =
  | { kind: 'rotated'; result: AuthResult; userId: string; sessionId: string }
  | { kind: 'reused'; userId: string; sessionId: string }
  | { kind: 'invalid'; userId?: string };

/**
 * One refresh. The token row is locked, so two requests with the same token
 * run one after the other: the first rotates, the second (within the grace
 * window) receives the same new pair; any later reuse revokes the family.
 */
/** A spent token replayed after the window: someone holds a copy. Kill the family, newest token included. */
async function familyReused(
  trx: AuthTrx,
  base: { userId: string; sessionId: string },
  meta: RequestMeta,
): Promise<void> {
  await revokeSession(trx, { userId: base.userId }, base.sessionId, 'refresh-reuse');
  await publish(trx, 'auth.refresh-reuse-detected', base, { actorId: base.userId });
  await audit(trx, {
    userId: base.userId,
    action: 'refresh.reuse',
    outcome: 'failure',
    meta,
    detail: { sessionId: base.sessionId },
  });
}

export async function rotateRefreshToken(
  ctx: AuthContext,
  presented: string,
  meta: RequestMeta,
): Promise<RotateOutcome> {
  const hash = tokenHash(presented);
  if (ctx.redisTokens) return rotateInRedis(ctx, ctx.redisTokens, presented, meta);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('auth_refresh_tokens as t')
      .innerJoin('auth_sessions as s', 's.id', 't.session_id')
      .innerJoin('auth_accounts as a', 'a.id', 't.user_id')
      .select([
        't.expires_at as token_expires_at',
        't.used_at',
        't.successor',
        's.id as session_id',
        's.revoked_at',
        's.expires_at as session_expires_at',
        's.last_used_at',
      ])
      .selectAll('a')
      .where('t.token_hash', '=', hash)
      .forUpdate('t')
      .executeTakeFirst();
    if (!row) return { kind: 'invalid' };
    const base = { userId: row.id, sessionId: row.session_id };
    if (row.revoked_at) return { kind: 'invalid', userId: row.id };
    const now = Date.now();
    if (row.used_at) {
      if (row.successor && now - row.used_at.getTime() <= REUSE_GRACE_MS) {
        const pair = JSON.parse(ctx.encryption.decrypt(row.successor, successorContext(hash))) as AuthResult;
        return { kind: 'rotated', result: { ...pair, user: await userViewOf(trx, row) }, ...base };
      }
      await familyReused(trx, base, meta);
      return { kind: 'reused', ...base };
    }
    const idleUntil = row.last_used_at.getTime() + ctx.config.sessionIdleSeconds * 1000;
    if (
      row.token_expires_at.getTime() <= now ||
      row.session_expires_at.getTime() <= now ||
      idleUntil <= now ||
      row.status !== 'active'
    ) {
      return { kind: 'invalid', userId: row.id };
    }
    const session = { id: row.session_id, user_id: row.id, expires_at: row.session_expires_at };
    const result: AuthResult = {
      user: await userViewOf(trx, row),
      accessToken: await ctx.accessTokens.sign(row, row.session_id),
      refreshToken: await issueRefreshToken(ctx, trx, session),
      expiresIn: ctx.config.accessTokenTtlSeconds,
    };
    const successor = ctx.encryption.encrypt(JSON.stringify(result), successorContext(hash));
    await trx
      .updateTable('auth_refresh_tokens')
      .set({ used_at: new Date(now), successor })
      .where('token_hash', '=', hash)
      .execute();
    await trx
      .updateTable('auth_sessions')
      .set({ last_used_at: new Date(now) })
      .where('id', '=', row.session_id)
      .execute();
    return { kind: 'rotated', result, ...base };
  });
}

/**
 * The same rules with the token in Redis: the record is read, the session and
 * account checked in PostgreSQL, and the spend is one atomic script; a request
 * that loses the race reads the winner's pair like a late second tab.
 */
async function rotateInRedis(
  ctx: AuthContext,
  store: RedisRefreshTokens,
  presented: string,
  meta: RequestMeta,
): Promise<RotateOutcome> {
  const hash = tokenHash(presented);
  const record = await store.get(presented);
  if (!record) return { kind: 'invalid' };
  const row = await ctx.db
    .selectFrom('auth_sessions as s')
    .innerJoin('auth_accounts as a', 'a.id', 's.user_id')
    .select(['s.id as session_id', 's.revoked_at', 's.expires_at as session_expires_at', 's.last_used_at'])
    .selectAll('a')
    .where('s.id', '=', record.sessionId)
    .executeTakeFirst();
  if (!row || row.id !== record.userId || row.revoked_at) return { kind: 'invalid', userId: record.userId };
  const base = { userId: row.id, sessionId: row.session_id };
  const now = Date.now();
  const whenSpent = async (usedAt: number, successor: string | undefined): Promise<RotateOutcome> => {
    if (successor && now - usedAt <= REUSE_GRACE_MS) {
      const pair = JSON.parse(ctx.encryption.decrypt(successor, successorContext(hash))) as AuthResult;
      return { kind: 'rotated', result: { ...pair, user: await userViewOf(ctx.db, row) }, ...base };
    }
    await ctx.db.transaction().execute((trx) => familyReused(trx, base, meta));
    return { kind: 'reused', ...base };
  };
  if (record.usedAt !== undefined) return whenSpent(record.usedAt, record.successor);
  const idleUntil = row.last_used_at.getTime() + ctx.config.sessionIdleSeconds * 1000;
  if (
    record.expiresAt <= now ||
    row.session_expires_at.getTime() <= now ||
    idleUntil <= now ||
    row.status !== 'active'
  ) {
    return { kind: 'invalid', userId: row.id };
  }
  const refreshToken = successorRefreshToken(presented);
  const result: AuthResult = {
    user: await userViewOf(ctx.db, row),
    accessToken: await ctx.accessTokens.sign(row, row.session_id),
    refreshToken,
    expiresIn: ctx.config.accessTokenTtlSeconds,
  };
  const successor = ctx.encryption.encrypt(JSON.stringify(result), successorContext(hash));
  const expiresAt = Math.min(
    now + ctx.config.refreshTokenTtlSeconds * 1000,
    row.session_expires_at.getTime(),
  );
  const spent = await store.spend(presented, now, successor, {
    token: refreshToken,
    sessionId: row.session_id,
    userId: row.id,
    expiresAt,
  });
  if (spent.kind === 'missing') return { kind: 'invalid', userId: row.id };
  if (spent.kind === 'used') return whenSpent(spent.usedAt, spent.successor);
  await ctx.db
    .updateTable('auth_sessions')
    .set({ last_used_at: new Date(now) })
    .where('id', '=', row.session_id)
    .execute();
  return { kind: 'rotated', result, ...base };
}

function successorContext(hash: Buffer): string {
  return `auth_refresh_tokens.successor:${hash.toString('hex')}`;
}

export async function revokeSession(
  db: Executor,
  scope: { userId: string },
  sessionId: string,
  reason: string,
): Promise<boolean> {
  const result = await db
    .updateTable('auth_sessions')
    .set({ revoked_at: new Date(), revoked_reason: reason })
    .where('user_id', '=', scope.userId)
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  // Spent successors are no longer needed once the family is dead.
  await db
    .updateTable('auth_refresh_tokens')
    .set({ successor: null })
    .where('session_id', '=', sessionId)
    .execute();
  return result.numUpdatedRows > 0n;
}

/** Ends every session of the user (but one); resolves to the ids it ended. */
export async function revokeAllSessions(
  db: Executor,
  scope: { userId: string },
  reason: string,
  exceptSessionId?: string,
): Promise<string[]> {
  let update = db
    .updateTable('auth_sessions')
    .set({ revoked_at: new Date(), revoked_reason: reason })
    .where('user_id', '=', scope.userId)
    .where('revoked_at', 'is', null);
  if (exceptSessionId) update = update.where('id', '!=', exceptSessionId);
  // The ids, for ctx.revocations.announce once the change committed.
  const rows = await update.returning('id').execute();
  return rows.map((row) => row.id);
}

/** Live: not revoked, not past its absolute or idle limit, and its account is active. */
export async function findLiveSession(
  ctx: AuthContext,
  scope: { userId: string },
  sessionId: string,
): Promise<SessionRow | undefined> {
  const now = new Date();
  const row = await ctx.db
    .selectFrom('auth_sessions as s')
    .innerJoin('auth_accounts as a', 'a.id', 's.user_id')
    .selectAll('s')
    .where('s.id', '=', sessionId)
    .where('s.user_id', '=', scope.userId)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', now)
    .where('a.status', '=', 'active')
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.last_used_at.getTime() + ctx.config.sessionIdleSeconds * 1000 <= now.getTime()) return undefined;
  return row;
}

/** Newest first, `limit + 1` rows after the keyset `before` (an id; ids are UUIDv7, so time-ordered). */
export async function listLiveSessions(
  ctx: AuthContext,
  scope: { userId: string },
  page: { limit: number; before?: string },
): Promise<SessionRow[]> {
  let query = ctx.db
    .selectFrom('auth_sessions')
    .selectAll()
    .where('user_id', '=', scope.userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .where('last_used_at', '>', new Date(Date.now() - ctx.config.sessionIdleSeconds * 1000))
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (page.before) query = query.where('id', '<', page.before);
  return query.execute();
}

export async function markAuthenticated(db: Executor, sessionId: string): Promise<void> {
  await db
    .updateTable('auth_sessions')
    .set({ authenticated_at: new Date() })
    .where('id', '=', sessionId)
    .execute();
}

export function requireInvalidToken(): never {
  throw unauthenticated('Refresh token is not valid or has expired');
}
