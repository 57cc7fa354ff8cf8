import { publish } from '../../platform/bus/publish.ts';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { conflict, unauthenticated, validationError } from '../../platform/http/errors.ts';
import { audit } from './audit.ts';
import type { AuthContext, RequestMeta } from './context.ts';
import { normaliseRecoveryCode, randomToken, recoveryCode, tokenHash } from './crypto.ts';
import { mails, sendInBackground } from './mails.ts';
import { type AccountRow, findAccount, updateAccount } from './repo.ts';
import { markAuthenticated } from './sessions.ts';
import type { AuthTrx } from './tables.ts';
import { matchingStep, newTotpSecret, totpFor } from './totp.ts';

/** TOTP MFA: setup, enable, disable, recovery codes, and the login challenge. */

export const MFA_CHALLENGE_TTL_SECONDS = 5 * 60;
export const MFA_MAX_ATTEMPTS = 5;
const RECOVERY_CODE_COUNT = 10;

const secretContext = (userId: string) => `auth_mfa_totp.secret:${userId}`;

export async function startMfaChallenge(
  ctx: AuthContext,
  account: AccountRow,
  meta: RequestMeta,
): Promise<{ mfaRequired: true; mfaToken: string }> {
  const mfaToken = randomToken();
  await ctx.db
    .insertInto('auth_mfa_challenges')
    .values({
      token_hash: tokenHash(mfaToken),
      user_id: account.id,
      expires_at: new Date(Date.now() + MFA_CHALLENGE_TTL_SECONDS * 1000),
      user_agent: meta.userAgent,
      ip: meta.ip,
    })
    .execute();
  return { mfaRequired: true, mfaToken };
}

async function loadSecret(ctx: AuthContext, trx: AuthContext['db'] | AuthTrx, userId: string) {
  const row = await trx
    .selectFrom('auth_mfa_totp')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!row) return undefined;
  return { ...row, secret: ctx.encryption.decrypt(row.secret, secretContext(userId)) };
}

/**
 * Accepts a TOTP code once: the matching step is written only if it is later
 * than the last one used, in one UPDATE, so a replay (even a concurrent one) fails.
 */
async function useTotpCode(
  ctx: AuthContext,
  userId: string,
  code: string,
  confirmedOnly = true,
): Promise<boolean> {
  const row = await loadSecret(ctx, ctx.db, userId);
  if (!row || (confirmedOnly && !row.confirmed_at)) return false;
  const step = matchingStep(row.secret, code);
  if (step === null) return false;
  const updated = await ctx.db
    .updateTable('auth_mfa_totp')
    .set({ last_used_step: step })
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}

async function useRecoveryCode(ctx: AuthContext, userId: string, code: string): Promise<boolean> {
  const updated = await ctx.db
    .updateTable('auth_recovery_codes')
    .set({ used_at: new Date() })
    .where('user_id', '=', userId)
    .where('code_hash', '=', tokenHash(normaliseRecoveryCode(code)))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}

/**
 * The second step of a login. The attempt is counted before the code is
 * checked, in one conditional UPDATE, so a burst of concurrent guesses cannot
 * exceed MFA_MAX_ATTEMPTS however they interleave.
 */
export async function answerMfaChallenge(
  ctx: AuthContext,
  input: { mfaToken: string; code?: string; recoveryCode?: string },
  meta: RequestMeta,
): Promise<AccountRow> {
  if ((input.code === undefined) === (input.recoveryCode === undefined)) {
    throw validationError('Send either code or recoveryCode', 'code');
  }
  const hash = tokenHash(input.mfaToken);
  const challenge = await ctx.db
    .updateTable('auth_mfa_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('token_hash', '=', hash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', new Date())
    .where('attempts', '<', MFA_MAX_ATTEMPTS)
    .returning(['user_id', 'attempts'])
    .executeTakeFirst();
  if (!challenge)
    throw unauthenticated('The MFA challenge is not valid, has expired or has no attempts left');
  const ok = input.code
    ? await useTotpCode(ctx, challenge.user_id, input.code)
    : await useRecoveryCode(ctx, challenge.user_id, input.recoveryCode!);
  const kind = input.code ? 'totp' : 'recovery-code';
  if (!ok) {
    await audit(ctx.db, {
      userId: challenge.user_id,
      action: 'mfa.challenge',
      outcome: 'failure',
      meta,
      detail: { kind },
    });
    throw unauthenticated('The code is not valid');
  }
  const consumed = await ctx.db
    .updateTable('auth_mfa_challenges')
    .set({ consumed_at: new Date() })
    .where('token_hash', '=', hash)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  if (consumed.numUpdatedRows === 0n) throw unauthenticated('The MFA challenge was already used');
  const account = await findAccount(ctx.db, { userId: challenge.user_id });
  if (account?.status !== 'active') throw unauthenticated('The MFA challenge is not valid');
  await audit(ctx.db, {
    userId: account.id,
    action: 'mfa.challenge',
    outcome: 'success',
    meta,
    detail: { kind },
  });
  return account;
}

export async function setupTotp(ctx: AuthContext, user: AuthUser) {
  const account = await findAccount(ctx.db, { userId: user.id });
  if (!account) throw unauthenticated();
  if (account.mfa_enabled_at) throw conflict('Two-step verification is already on; disable it first');
  const secret = newTotpSecret();
  const stored = ctx.encryption.encrypt(secret, secretContext(user.id));
  await ctx.db
    .insertInto('auth_mfa_totp')
    .values({ user_id: user.id, secret: stored })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({ secret: stored, confirmed_at: null, last_used_step: null }),
    )
    .execute();
  const otpauthUrl = totpFor(secret, account.email).toString();
  return { secret, otpauthUrl, qrCode: await (await import('qrcode')).default.toDataURL(otpauthUrl) };
}

async function replaceRecoveryCodes(trx: AuthTrx, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, recoveryCode);
  await trx.deleteFrom('auth_recovery_codes').where('user_id', '=', userId).execute();
  await trx
    .insertInto('auth_recovery_codes')
    .values(codes.map((code) => ({ user_id: userId, code_hash: tokenHash(normaliseRecoveryCode(code)) })))
    .execute();
  return codes;
}

export async function enableTotp(ctx: AuthContext, user: AuthUser, code: string, meta: RequestMeta) {
  const account = await findAccount(ctx.db, { userId: user.id });
  if (!account) throw unauthenticated();
  if (account.mfa_enabled_at) throw conflict('Two-step verification is already on');
  const pending = await loadSecret(ctx, ctx.db, user.id);
  if (!pending) throw conflict('Start with POST /v1/auth/mfa/totp/setup');
  if (!(await useTotpCode(ctx, user.id, code, false))) {
    await audit(ctx.db, { userId: user.id, action: 'mfa.enable', outcome: 'failure', meta });
    throw validationError('The code is not valid', 'code');
  }
  const recoveryCodes = await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('auth_mfa_totp')
      .set({ confirmed_at: new Date() })
      .where('user_id', '=', user.id)
      .execute();
    await updateAccount(trx, { userId: user.id }, { mfa_enabled_at: new Date() });
    await markAuthenticated(trx, user.sessionId);
    const codes = await replaceRecoveryCodes(trx, user.id);
    await publish(trx, 'user.mfa-enabled', { userId: user.id }, { actorId: user.id });
    await audit(trx, { userId: user.id, action: 'mfa.enable', outcome: 'success', meta });
    return codes;
  });
  sendInBackground(ctx, mails.mfaChanged(account.email, true));
  return { recoveryCodes };
}

export async function disableTotp(
  ctx: AuthContext,
  user: AuthUser,
  input: { code?: string; password?: string },
  meta: RequestMeta,
): Promise<void> {
  if ((input.code === undefined) === (input.password === undefined)) {
    throw validationError('Send either code or password', 'code');
  }
  const account = await findAccount(ctx.db, { userId: user.id });
  if (!account) throw unauthenticated();
  if (!account.mfa_enabled_at) throw conflict('Two-step verification is not on');
  await ctx.throttle.assertAllowed(account.email, meta.ip);
  const ok = input.code
    ? await useTotpCode(ctx, user.id, input.code)
    : Boolean(account.password_hash) && (await ctx.hasher.verify(account.password_hash!, input.password!));
  if (!ok) {
    await ctx.throttle.recordFailure(account.email, meta.ip);
    await audit(ctx.db, { userId: user.id, action: 'mfa.disable', outcome: 'failure', meta });
    throw validationError(
      input.code ? 'The code is not valid' : 'password is incorrect',
      input.code ? 'code' : 'password',
    );
  }
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('auth_mfa_totp').where('user_id', '=', user.id).execute();
    await trx.deleteFrom('auth_recovery_codes').where('user_id', '=', user.id).execute();
    await updateAccount(trx, { userId: user.id }, { mfa_enabled_at: null });
    await audit(trx, { userId: user.id, action: 'mfa.disable', outcome: 'success', meta });
  });
  sendInBackground(ctx, mails.mfaChanged(account.email, false));
}

export async function regenerateRecoveryCodes(ctx: AuthContext, user: AuthUser, meta: RequestMeta) {
  const account = await findAccount(ctx.db, { userId: user.id });
  if (!account?.mfa_enabled_at) throw conflict('Two-step verification is not on');
  const recoveryCodes = await ctx.db.transaction().execute(async (trx) => {
    const codes = await replaceRecoveryCodes(trx, user.id);
    await audit(trx, { userId: user.id, action: 'mfa.recovery-codes', outcome: 'success', meta });
    return codes;
  });
  sendInBackground(ctx, mails.mfaChanged(account.email, true));
  return { recoveryCodes };
}

/**
 * Proof of identity before an irreversible step in another module (account
 * deletion): the password, or a current TOTP code when MFA is on. Counted by
 * the login throttle like any other password guess.
 */
export async function confirmIdentity(
  ctx: AuthContext,
  userId: string,
  proof: { password?: string; code?: string },
): Promise<boolean> {
  const account = await findAccount(ctx.db, { userId });
  if (account?.status !== 'active') return false;
  if (proof.code !== undefined)
    return account.mfa_enabled_at !== null && useTotpCode(ctx, userId, proof.code);
  if (proof.password === undefined || !account.password_hash) return false;
  await ctx.throttle.assertAllowed(account.email, `confirm:${userId}`);
  const ok = await ctx.hasher.verify(account.password_hash, proof.password);
  if (!ok) await ctx.throttle.recordFailure(account.email, `confirm:${userId}`);
  return ok;
}
