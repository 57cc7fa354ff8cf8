import { createHash } from 'node:crypto';
import { publish } from '../../platform/bus/publish.ts';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import {
  AppError,
  conflict,
  forbidden,
  notFound,
  rateLimited,
  unauthenticated,
  validationError,
} from '../../platform/http/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { startAccount } from '../users/index.ts';
import { audit } from './audit.ts';
import type { AuthContext, RequestMeta } from './context.ts';
import { randomToken, tokenHash } from './crypto.ts';
import { mails, sendInBackground } from './mails.ts';
import { startMfaChallenge } from './mfa.ts';
import { assertAcceptablePassword } from './passwords.ts';
import {
  type AccountRow,
  consumeOneTimeToken,
  findAccount,
  findAccountByEmail,
  insertOneTimeToken,
  normaliseEmail,
  peekOneTimeToken,
  updateAccount,
} from './repo.ts';
import {
  type AuthResult,
  findLiveSession,
  listLiveSessions,
  markAuthenticated,
  revokeAllSessions,
  revokeSession,
  rotateRefreshToken,
  startSession,
} from './sessions.ts';
import type { AccountStatus } from './tables.ts';

/** Account use cases: register, login, refresh, logout, sessions, email and password. */

export const VERIFY_TTL_SECONDS = 24 * 3600;
export const RESET_TTL_SECONDS = 3600;
/** Changing password, email or MFA needs a password or MFA proof this recent. */
export const RECENT_AUTH_MS = 10 * 60 * 1000;

const INCORRECT = 'Email or password is incorrect';

export interface MfaRequired {
  mfaRequired: true;
  mfaToken: string;
}

export async function register(
  ctx: AuthContext,
  input: { email: string; password: string; displayName: string; acceptTerms: boolean; botCheck?: string },
  meta: RequestMeta,
): Promise<AuthResult> {
  // First: a bot costs one HMAC and one hash here, never an argon2 hash or a row.
  await ctx.botCheck.verify(input.botCheck, meta.ip);
  const email = normaliseEmail(input.email);
  const displayName = input.displayName.trim();
  if (!input.acceptTerms)
    throw validationError('acceptTerms must be true to create an account', 'acceptTerms');
  if (displayName.length === 0) throw validationError('displayName must not be blank', 'displayName');
  assertAcceptablePassword(input.password, email);
  await limitRegistrations(ctx, meta.ip);
  const passwordHash = await ctx.hasher.hash(input.password);
  const verifyToken = randomToken();
  const outcome = await ctx.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('auth_accounts')
      .values({ id: newId(), email, password_hash: passwordHash })
      .onConflict((oc) => oc.column('email').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) return undefined;
    // The profile owns the display name and users the consent record: both written in this transaction.
    await startAccount(
      trx,
      { auth: ctx.config },
      inserted.id,
      { displayName, acceptTerms: true },
      { ip: meta.ip, userAgent: meta.userAgent },
    );
    await insertOneTimeToken(
      trx,
      { userId: inserted.id },
      { hash: tokenHash(verifyToken), purpose: 'verify-email', ttlSeconds: VERIFY_TTL_SECONDS },
    );
    await publish(
      trx,
      'user.registered',
      { userId: inserted.id, email, displayName, method: 'password' },
      { actorId: inserted.id },
    );
    await audit(trx, { userId: inserted.id, action: 'register', outcome: 'success', meta });
    return startSession(ctx, trx, inserted, meta, 'password');
  });
  if (!outcome) {
    // The owner hears about it; the caller learns only what a 409 must say.
    sendInBackground(ctx, mails.alreadyRegistered(ctx.appUrl, email));
    throw conflict('An account cannot be created with this email; sign in or reset your password');
  }
  sendInBackground(ctx, mails.verifyEmail(ctx.appUrl, email, verifyToken));
  const { sessionId: _, ...result } = outcome;
  return result;
}

async function limitRegistrations(ctx: AuthContext, ip: string): Promise<void> {
  const limit = ctx.config.registrationsPerIpPerHour;
  if (limit === 0) return;
  const key = `auth:throttle:register:${createHash('sha256').update(ip).digest('base64url').slice(0, 22)}`;
  const count = await ctx.throttle.count(key, 3600);
  if (count > limit) {
    throw rateLimited(
      3600,
      `Too many sign-ups from this address (${limit} per hour; AUTH_REGISTRATIONS_PER_IP_PER_HOUR sets it, 0 for none)`,
    );
  }
}

export async function login(
  ctx: AuthContext,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<AuthResult | MfaRequired> {
  const email = normaliseEmail(input.email);
  await ctx.throttle.assertAllowed(email, meta.ip);
  const account = await findAccountByEmail(ctx.db, email);
  let ok = false;
  if (account?.password_hash && account.status !== 'deleted') {
    ok = await ctx.hasher.verify(account.password_hash, input.password);
  } else {
    // Unknown email (or no password): spend the same hash time, so timing tells nothing.
    await ctx.hasher.burn(input.password);
  }
  if (!ok || !account) {
    await ctx.throttle.recordFailure(email, meta.ip);
    await audit(ctx.db, {
      userId: account?.id ?? null,
      action: 'login',
      outcome: 'failure',
      meta,
      detail: { reason: account ? 'bad-password' : 'unknown-email' },
    });
    throw unauthenticated(INCORRECT);
  }
  await ctx.throttle.recordSuccess(email);
  if (account.status === 'suspended') {
    await audit(ctx.db, {
      userId: account.id,
      action: 'login',
      outcome: 'failure',
      meta,
      detail: { reason: 'suspended' },
    });
    throw forbidden('This account is suspended');
  }
  if (ctx.hasher.needsRehash(account.password_hash!)) {
    await updateAccount(
      ctx.db,
      { userId: account.id },
      { password_hash: await ctx.hasher.hash(input.password) },
    );
  }
  if (account.mfa_enabled_at) {
    await audit(ctx.db, {
      userId: account.id,
      action: 'login',
      outcome: 'success',
      meta,
      detail: { mfa: 'pending' },
    });
    return startMfaChallenge(ctx, account, meta);
  }
  return completeLogin(ctx, account, meta, 'password');
}

/** Starts the session once every factor passed: session, event, audit, new-device notice. */
export async function completeLogin(
  ctx: AuthContext,
  account: AccountRow,
  meta: RequestMeta,
  method: string,
): Promise<AuthResult> {
  const known = await ctx.db
    .selectFrom('auth_sessions')
    .select('id')
    .where('user_id', '=', account.id)
    .where('user_agent', 'is not distinct from', meta.userAgent?.slice(0, 512) ?? null)
    .limit(1)
    .executeTakeFirst();
  const { sessionId, ...result } = await ctx.db.transaction().execute(async (trx) => {
    const started = await startSession(ctx, trx, account, meta, method);
    await publish(
      trx,
      'user.logged-in',
      { userId: account.id, sessionId: started.sessionId, method },
      { actorId: account.id },
    );
    await audit(trx, {
      userId: account.id,
      action: method.startsWith('oauth') ? 'oauth.login' : 'login',
      outcome: 'success',
      meta,
      detail: { sessionId: started.sessionId, method },
    });
    return started;
  });
  if (!known) sendInBackground(ctx, mails.newLogin(account.email, meta, new Date()));
  return result;
}

export async function refresh(ctx: AuthContext, presented: string, meta: RequestMeta): Promise<AuthResult> {
  const outcome = await rotateRefreshToken(ctx, presented, meta);
  if (outcome.kind === 'rotated') {
    await audit(ctx.db, {
      userId: outcome.userId,
      action: 'refresh',
      outcome: 'success',
      meta,
      detail: { sessionId: outcome.sessionId },
    });
    return outcome.result;
  }
  if (outcome.kind === 'invalid') {
    await audit(ctx.db, { userId: outcome.userId ?? null, action: 'refresh', outcome: 'failure', meta });
  }
  // A replayed refresh token means a copy is out there: its access tokens die with the family.
  if (outcome.kind === 'reused') await ctx.revocations.announce([outcome.sessionId]);
  throw unauthenticated('Refresh token is not valid or has expired');
}

export async function logout(ctx: AuthContext, user: AuthUser, meta: RequestMeta): Promise<void> {
  await revokeSession(ctx.db, { userId: user.id }, user.sessionId, 'logout');
  await ctx.revocations.announce([user.sessionId]);
  await audit(ctx.db, { userId: user.id, action: 'logout', outcome: 'success', meta });
}

export async function logoutAll(ctx: AuthContext, user: AuthUser, meta: RequestMeta): Promise<number> {
  const ended = await revokeAllSessions(ctx.db, { userId: user.id }, 'logout-all');
  await ctx.revocations.announce(ended);
  await audit(ctx.db, {
    userId: user.id,
    action: 'logout-all',
    outcome: 'success',
    meta,
    detail: { revoked: ended.length },
  });
  return ended.length;
}

export interface SessionView {
  id: string;
  current: boolean;
  method: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: string;
  lastUsedAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listSessions(
  ctx: AuthContext,
  user: AuthUser,
  query: { limit?: number; cursor?: string } = {},
): Promise<Page<SessionView>> {
  const limit = query.limit ?? 20;
  const after = decodeCursor<{ id: string }>(query.cursor, ['id']);
  if (after && !UUID.test(String(after.id))) throw validationError('cursor is not valid', 'cursor');
  const rows = await listLiveSessions(ctx, { userId: user.id }, { limit, before: after?.id });
  const views = rows.map((row) => ({
    id: row.id,
    current: row.id === user.sessionId,
    method: row.method,
    userAgent: row.user_agent,
    ip: row.ip,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at.toISOString(),
  }));
  return toPage(views, limit, (view) => ({ id: view.id }));
}

export async function revokeSessionById(
  ctx: AuthContext,
  user: AuthUser,
  sessionId: string,
  meta: RequestMeta,
): Promise<void> {
  const revoked = await revokeSession(ctx.db, { userId: user.id }, sessionId, 'revoked-by-user');
  if (!revoked) throw notFound('session', sessionId);
  await ctx.revocations.announce([sessionId]);
  await audit(ctx.db, {
    userId: user.id,
    action: 'session.revoke',
    outcome: 'success',
    meta,
    detail: { sessionId },
  });
}

export async function verifyEmail(ctx: AuthContext, token: string, meta: RequestMeta): Promise<void> {
  const userId = await ctx.db.transaction().execute(async (trx) => {
    const id = await consumeOneTimeToken(trx, tokenHash(token), 'verify-email');
    if (id) await updateAccount(trx, { userId: id }, { email_verified_at: new Date() });
    return id;
  });
  await audit(ctx.db, {
    userId: userId ?? null,
    action: 'email.verify',
    outcome: userId ? 'success' : 'failure',
    meta,
  });
  if (!userId) throw validationError('The verification link is not valid or has expired', 'token');
}

export async function resendVerification(ctx: AuthContext, user: AuthUser): Promise<void> {
  const account = await findAccount(ctx.db, { userId: user.id });
  if (!account) throw unauthenticated();
  if (account.email_verified_at) throw conflict('The email address is already verified');
  const token = randomToken();
  await insertOneTimeToken(
    ctx.db,
    { userId: account.id },
    { hash: tokenHash(token), purpose: 'verify-email', ttlSeconds: VERIFY_TTL_SECONDS },
  );
  sendInBackground(ctx, mails.verifyEmail(ctx.appUrl, account.email, token));
}

/**
 * Answers the same, at the same speed, whether or not the account exists: the
 * lookup and the mail happen after the answer is decided.
 */
export function forgotPassword(ctx: AuthContext, input: { email: string }, meta: RequestMeta): void {
  const email = normaliseEmail(input.email);
  const work = async () => {
    const account = await findAccountByEmail(ctx.db, email);
    await audit(ctx.db, { userId: account?.id ?? null, action: 'password.forgot', outcome: 'success', meta });
    if (account?.status !== 'active') return;
    const token = randomToken();
    await insertOneTimeToken(
      ctx.db,
      { userId: account.id },
      { hash: tokenHash(token), purpose: 'reset-password', ttlSeconds: RESET_TTL_SECONDS },
    );
    await ctx.mail.send(mails.resetPassword(ctx.appUrl, account.email, token));
  };
  work().catch((error: unknown) => ctx.log.error({ err: error }, 'password reset mail failed'));
}

export async function resetPassword(
  ctx: AuthContext,
  input: { token: string; password: string },
  meta: RequestMeta,
): Promise<void> {
  const hash = tokenHash(input.token);
  const invalid = () => validationError('The reset link is not valid or has expired', 'token');
  const userId = await peekOneTimeToken(ctx.db, hash, 'reset-password');
  const account = userId ? await findAccount(ctx.db, { userId }) : undefined;
  if (account?.status !== 'active') {
    await audit(ctx.db, { userId: userId ?? null, action: 'password.reset', outcome: 'failure', meta });
    throw invalid();
  }
  // Checked before the token is spent, so a rejected password does not burn the link.
  assertAcceptablePassword(input.password, account.email);
  const passwordHash = await ctx.hasher.hash(input.password);
  const ended = await ctx.db.transaction().execute(async (trx) => {
    if (!(await consumeOneTimeToken(trx, hash, 'reset-password'))) throw invalid();
    // Proving control of the mailbox also proves the address.
    await updateAccount(
      trx,
      { userId: account.id },
      {
        password_hash: passwordHash,
        email_verified_at: account.email_verified_at ?? new Date(),
      },
    );
    const revoked = await revokeAllSessions(trx, { userId: account.id }, 'password-reset');
    await publish(
      trx,
      'user.password-changed',
      { userId: account.id, reason: 'reset' },
      { actorId: account.id },
    );
    await audit(trx, {
      userId: account.id,
      action: 'password.reset',
      outcome: 'success',
      meta,
      detail: { revoked: revoked.length },
    });
    return revoked;
  });
  await ctx.revocations.announce(ended);
}

export async function changePassword(
  ctx: AuthContext,
  user: AuthUser,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<void> {
  const account = await findAccount(ctx.db, { userId: user.id });
  if (!account) throw unauthenticated();
  await ctx.throttle.assertAllowed(account.email, meta.ip);
  const ok = account.password_hash
    ? await ctx.hasher.verify(account.password_hash, input.currentPassword)
    : false;
  if (!ok) {
    await ctx.throttle.recordFailure(account.email, meta.ip);
    await audit(ctx.db, { userId: user.id, action: 'password.change', outcome: 'failure', meta });
    throw validationError('currentPassword is incorrect', 'currentPassword');
  }
  assertAcceptablePassword(input.newPassword, account.email, 'newPassword');
  const passwordHash = await ctx.hasher.hash(input.newPassword);
  const ended = await ctx.db.transaction().execute(async (trx) => {
    await updateAccount(trx, { userId: user.id }, { password_hash: passwordHash });
    // Every other device must sign in again with the new password; this one just proved it.
    const revoked = await revokeAllSessions(trx, { userId: user.id }, 'password-change', user.sessionId);
    await markAuthenticated(trx, user.sessionId);
    await publish(trx, 'user.password-changed', { userId: user.id, reason: 'change' }, { actorId: user.id });
    await audit(trx, {
      userId: user.id,
      action: 'password.change',
      outcome: 'success',
      meta,
      detail: { revoked: revoked.length },
    });
    return revoked;
  });
  await ctx.revocations.announce(ended);
}

/** Throws unless the session proved a password or MFA code within RECENT_AUTH_MS. */
export async function assertRecentAuthentication(ctx: AuthContext, user: AuthUser): Promise<void> {
  const session = await findLiveSession(ctx, { userId: user.id }, user.sessionId);
  if (!session) throw unauthenticated('The session has ended; sign in again');
  if (Date.now() - session.authenticated_at.getTime() > RECENT_AUTH_MS) {
    throw new AppError(401, 'UNAUTHENTICATED', 'Confirm your password first (POST /v1/auth/reauthenticate)');
  }
}

export async function reauthenticate(
  ctx: AuthContext,
  user: AuthUser,
  input: { password: string },
  meta: RequestMeta,
): Promise<void> {
  const account = await findAccount(ctx.db, { userId: user.id });
  if (!account) throw unauthenticated();
  await ctx.throttle.assertAllowed(account.email, meta.ip);
  const ok = account.password_hash ? await ctx.hasher.verify(account.password_hash, input.password) : false;
  await audit(ctx.db, {
    userId: user.id,
    action: 'reauthenticate',
    outcome: ok ? 'success' : 'failure',
    meta,
  });
  if (!ok) {
    await ctx.throttle.recordFailure(account.email, meta.ip);
    throw validationError('password is incorrect', 'password');
  }
  await markAuthenticated(ctx.db, user.sessionId);
}

/** For admin tooling: suspension and deletion end every session at once. */
export async function setAccountStatus(
  ctx: AuthContext,
  userId: string,
  status: AccountStatus,
  actorId: string | null,
): Promise<void> {
  const ended = await ctx.db.transaction().execute(async (trx) => {
    const account = await findAccount(trx, { userId });
    if (!account) throw notFound('account', userId);
    await updateAccount(trx, { userId }, { status });
    const revoked = status === 'active' ? [] : await revokeAllSessions(trx, { userId }, `account-${status}`);
    await audit(trx, { userId, action: 'account.status', outcome: 'success', detail: { status, actorId } });
    return revoked;
  });
  await ctx.revocations.announce(ended);
}
