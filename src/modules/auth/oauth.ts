import * as client from 'openid-client';
import { publish } from '../../platform/bus/publish.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import {
  AppError,
  conflict,
  forbidden,
  notFound,
  serviceUnavailable,
  unauthenticated,
  validationError,
} from '../../platform/http/errors.ts';
import { newId } from '../../platform/ids.ts';
import { startAccount } from '../users/index.ts';
import { audit } from './audit.ts';
import type { OAuthProviderConfig } from './config.ts';
import type { AuthContext, RequestMeta } from './context.ts';
import { safeEqual, tokenHash } from './crypto.ts';
import { type AccountRow, findAccount, normaliseEmail, updateAccount } from './repo.ts';
import { completeLogin } from './service.ts';
import { type AuthResult, revokeAllSessions } from './sessions.ts';

/**
 * OpenID Connect login with `openid-client`: authorization code + PKCE (S256),
 * state bound to the browser by a cookie, nonce checked in the ID token. An
 * existing account is linked only through an email the provider says it verified.
 */
const FLOW_TTL_SECONDS = 10 * 60;
const discovered = new WeakMap<AuthContext, Map<string, Promise<client.Configuration>>>();

function providerConfig(ctx: AuthContext, name: string): OAuthProviderConfig {
  const provider = ctx.config.oauthProviders.find((p) => p.name === name);
  if (!provider) throw notFound('OAuth provider', name);
  return provider;
}

export function redirectUri(ctx: AuthContext, name: string): string {
  return `${ctx.publicUrl}/v1/auth/oauth/${name}/callback`;
}

function configuration(ctx: AuthContext, provider: OAuthProviderConfig): Promise<client.Configuration> {
  let cache = discovered.get(ctx);
  if (!cache) {
    cache = new Map();
    discovered.set(ctx, cache);
  }
  let config = cache.get(provider.name);
  if (!config) {
    const issuer = new URL(provider.issuer);
    config = client
      .discovery(issuer, provider.clientId, provider.clientSecret, undefined, {
        // Plain http only for a local test issuer; config.ts accepts http issuers, production ones are https.
        execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        cache.delete(provider.name);
        ctx.log.warn({ err: error, provider: provider.name }, 'OpenID discovery failed');
        throw serviceUnavailable(30, `Sign-in with ${provider.name} is unavailable right now`);
      });
    cache.set(provider.name, config);
  }
  return config;
}

export async function startOAuth(ctx: AuthContext, name: string): Promise<{ url: string; state: string }> {
  const provider = providerConfig(ctx, name);
  const config = await configuration(ctx, provider);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  await ctx.db
    .insertInto('auth_oauth_flows')
    .values({
      state_hash: tokenHash(state),
      provider: name,
      nonce,
      code_verifier: ctx.encryption.encrypt(codeVerifier, `auth_oauth_flows:${name}`),
      expires_at: new Date(Date.now() + FLOW_TTL_SECONDS * 1000),
    })
    .execute();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(ctx, name),
    scope: 'openid email profile',
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url: url.href, state };
}

interface Claims {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export async function finishOAuth(
  ctx: AuthContext,
  name: string,
  input: { query: Record<string, string>; cookieState: string | undefined },
  meta: RequestMeta,
): Promise<AuthResult> {
  const provider = providerConfig(ctx, name);
  const state = input.query.state;
  if (!state || !input.cookieState || !safeEqual(state, input.cookieState)) {
    throw validationError('The sign-in state does not match this browser; start again', 'state');
  }
  const flow = await ctx.db
    .deleteFrom('auth_oauth_flows')
    .where('state_hash', '=', tokenHash(state))
    .where('provider', '=', name)
    .where('expires_at', '>', new Date())
    .returningAll()
    .executeTakeFirst();
  if (!flow) throw validationError('The sign-in attempt is unknown or has expired; start again', 'state');
  const config = await configuration(ctx, provider);
  const currentUrl = new URL(redirectUri(ctx, name));
  for (const [key, value] of Object.entries(input.query)) currentUrl.searchParams.set(key, value);
  let claims: Claims;
  try {
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: ctx.encryption.decrypt(flow.code_verifier, `auth_oauth_flows:${name}`),
      expectedState: state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    claims = tokens.claims() as unknown as Claims;
    if (claims.email === undefined) {
      // Many providers keep profile claims out of the ID token; the UserInfo endpoint has them.
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      claims = {
        ...claims,
        email: info.email,
        email_verified: info.email_verified,
        name: claims.name ?? info.name,
      };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    await audit(ctx.db, {
      userId: null,
      action: 'oauth.login',
      outcome: 'failure',
      meta,
      detail: { provider: name, reason: error instanceof Error ? error.message.slice(0, 200) : 'unknown' },
    });
    throw unauthenticated(`The answer from ${name} could not be verified; start again`);
  }
  const account = await resolveAccount(ctx, name, claims, meta);
  if (account.status !== 'active') throw forbidden('This account is suspended');
  return completeLogin(ctx, account, meta, `oauth:${name}`);
}

async function resolveAccount(ctx: AuthContext, provider: string, claims: Claims, meta: RequestMeta) {
  const linked = await ctx.db
    .selectFrom('auth_identities')
    .select('user_id')
    .where('provider', '=', provider)
    .where('subject', '=', claims.sub)
    .executeTakeFirst();
  if (linked) {
    const account = await findAccount(ctx.db, { userId: linked.user_id });
    if (account) return account;
  }
  // Apple sends the flag as the string "true".
  const verified = claims.email_verified === true || (claims.email_verified as unknown) === 'true';
  if (!claims.email || !verified) {
    await audit(ctx.db, {
      userId: null,
      action: 'identity.link',
      outcome: 'failure',
      meta,
      detail: { provider, reason: 'email-not-verified' },
    });
    throw forbidden(
      `${provider} did not confirm that the email address is verified; it cannot be used to sign in`,
    );
  }
  const email = normaliseEmail(claims.email);
  return linkOrCreate(ctx, provider, { ...claims, email }, meta).catch((error: unknown) => {
    // Someone registered the same email between our read and our insert.
    if (isUniqueViolation(error)) throw conflict('Sign-in raced another sign-up; try again');
    throw error;
  });
}

async function linkOrCreate(
  ctx: AuthContext,
  provider: string,
  claims: Claims & { email: string },
  meta: RequestMeta,
): Promise<AccountRow> {
  const email = claims.email;
  let revoked: string[] = [];
  const linked = await ctx.db.transaction().execute(async (trx) => {
    let account: AccountRow | undefined = await trx
      .selectFrom('auth_accounts')
      .selectAll()
      .where('email', '=', email)
      .forUpdate()
      .executeTakeFirst();
    if (account && !account.email_verified_at) {
      // Whoever registered this address never proved it; the provider just did. Their password
      // (possibly set by someone squatting the address) and sessions go, so it cannot be a way in.
      await updateAccount(
        trx,
        { userId: account.id },
        { password_hash: null, email_verified_at: new Date() },
      );
      revoked = await revokeAllSessions(trx, { userId: account.id }, 'unverified-account-claimed');
      account = { ...account, password_hash: null, email_verified_at: new Date() };
    }
    if (!account) {
      // PostgreSQL text cannot hold NUL; a provider's name claim is not ours to trust.
      const displayName = (claims.name?.replaceAll('\u0000', '').trim() || email.split('@')[0]!).slice(
        0,
        100,
      );
      account = await trx
        .insertInto('auth_accounts')
        .values({
          id: newId(),
          email,
          password_hash: null,
          email_verified_at: new Date(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      // The profile owns the display name (no terms consent: this path asks for none).
      await startAccount(
        trx,
        { auth: ctx.config },
        account.id,
        { displayName, acceptTerms: false },
        { ip: meta.ip, userAgent: meta.userAgent },
      );
      await publish(
        trx,
        'user.registered',
        { userId: account.id, email, displayName, method: 'oauth' },
        { actorId: account.id },
      );
      await audit(trx, {
        userId: account.id,
        action: 'register',
        outcome: 'success',
        meta,
        detail: { provider },
      });
    }
    // A concurrent first sign-in of the same provider account may have linked it already.
    await trx
      .insertInto('auth_identities')
      .values({ id: newId(), user_id: account.id, provider, subject: claims.sub, email })
      .onConflict((oc) => oc.columns(['provider', 'subject']).doNothing())
      .execute();
    await audit(trx, {
      userId: account.id,
      action: 'identity.link',
      outcome: 'success',
      meta,
      detail: { provider },
    });
    return account;
  });
  await ctx.revocations.announce(revoked);
  return linked;
}

export interface IdentityView {
  id: string;
  provider: string;
  email: string | null;
  createdAt: string;
}

export async function listIdentities(ctx: AuthContext, user: AuthUser): Promise<IdentityView[]> {
  const rows = await ctx.db
    .selectFrom('auth_identities')
    .selectAll()
    .where('user_id', '=', user.id)
    .orderBy('created_at')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    provider: row.provider,
    email: row.email,
    createdAt: row.created_at.toISOString(),
  }));
}

export async function unlinkIdentity(ctx: AuthContext, user: AuthUser, id: string, meta: RequestMeta) {
  await ctx.db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom('auth_accounts')
      .selectAll()
      .where('id', '=', user.id)
      .forUpdate()
      .executeTakeFirst();
    const identities = await trx
      .selectFrom('auth_identities')
      .select('id')
      .where('user_id', '=', user.id)
      .execute();
    if (!identities.some((row) => row.id === id)) throw notFound('identity', id);
    if (!account?.password_hash && identities.length === 1) {
      throw conflict('This is your only way to sign in; set a password first (forgot password)');
    }
    await trx.deleteFrom('auth_identities').where('id', '=', id).where('user_id', '=', user.id).execute();
    await audit(trx, {
      userId: user.id,
      action: 'identity.unlink',
      outcome: 'success',
      meta,
      detail: { id },
    });
  });
}
