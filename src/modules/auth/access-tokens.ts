import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AuthUser, Role } from '../../platform/http/auth-context.ts';
import type { KeySet } from './signing-keys.ts';

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** Accepted clock skew between this server and the signer (default 5 s). */
  clockToleranceSeconds?: number;
  /** Whether the session was revoked while its tokens may still be unexpired (revocations.ts); memory only. */
  isRevoked?: (sessionId: string) => boolean;
}

/** A well-formed, unexpired token of a session that has since been revoked. */
export class TokenRevokedError extends Error {
  constructor() {
    super('The session of this access token has ended');
    this.name = 'TokenRevokedError';
  }
}

export interface AccessTokens {
  sign(user: { id: string; role: Role }, sessionId: string): Promise<string>;
  /** Resolves to the caller, or rejects for any token that is not exactly ours and current. */
  verify(token: string): Promise<AuthUser>;
}

const ROLES: readonly string[] = ['user', 'editor', 'admin'];
/** Accepted clock skew between the processes that sign and verify access tokens. */
export const CLOCK_TOLERANCE_SECONDS = 5;

export function createAccessTokens(keys: KeySet, settings: AccessTokenSettings): AccessTokens {
  const algorithms = [...new Set([...keys.byKid.values()].map((k) => k.alg))];
  // A token is immutable: once its signature and claims checked out, the result holds until
  // it expires. Caching it spares the ECDSA verification (~0.15 ms CPU) on every request.
  const tolerance = settings.clockToleranceSeconds ?? CLOCK_TOLERANCE_SECONDS;
  const verified = new LRUCache<string, { user: AuthUser; expiresAt: number }>({ max: 20_000 });
  return {
    async sign(user, sessionId) {
      const key = keys.signing;
      return new SignJWT({ role: user.role, sid: sessionId })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
        .setSubject(user.id)
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt()
        .setExpirationTime(`${settings.ttlSeconds}s`)
        .sign(key.privateKey);
    },
    async verify(token) {
      const user = await verifySignedToken(token);
      // Checked on every call, cached or not: a revocation comes after the token was cached.
      if (settings.isRevoked?.(user.sessionId)) throw new TokenRevokedError();
      return user;
    },
  };

  async function verifySignedToken(token: string): Promise<AuthUser> {
    const cached = verified.get(token);
    if (cached) {
      if (cached.expiresAt > Date.now()) return cached.user;
      verified.delete(token);
    }
    // The key comes only from our own set by kid: jku, x5u and embedded jwk headers are never consulted.
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid ? keys.byKid.get(header.kid) : undefined;
        if (!key || key.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
        return key.publicKey;
      },
      {
        algorithms,
        issuer: settings.issuer,
        audience: settings.audience,
        typ: 'at+jwt',
        requiredClaims: ['exp', 'iat', 'sub', 'iss', 'aud', 'sid'],
        clockTolerance: tolerance,
      },
    );
    // jose checks iat against the clock only with maxTokenAge; a token from the future
    // (a skewed or compromised signer) is refused here beyond the tolerated skew.
    if ((payload.iat ?? 0) > Date.now() / 1000 + tolerance) {
      throw new errors.JWTClaimValidationFailed(
        '"iat" claim is in the future',
        payload,
        'iat',
        'check_failed',
      );
    }
    const user = toUser(payload);
    verified.set(token, { user, expiresAt: (payload.exp ?? 0) * 1000 });
    return user;
  }
}

function toUser(payload: JWTPayload): AuthUser {
  const { sub, role, sid } = payload as JWTPayload & { role?: unknown; sid?: unknown };
  if (
    typeof sub !== 'string' ||
    typeof sid !== 'string' ||
    typeof role !== 'string' ||
    !ROLES.includes(role)
  ) {
    throw new errors.JWTClaimValidationFailed('malformed claims', payload);
  }
  return { id: sub, role: role as Role, sessionId: sid };
}
