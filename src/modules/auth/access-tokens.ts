import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { AuthUser, Role } from '../../platform/http/auth-context.ts';
import type { KeySet } from './signing-keys.ts';

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessTokens {
  sign(user: { id: string; role: Role }, sessionId: string): Promise<string>;
  /** Resolves to the caller, or rejects for any token that is not exactly ours and current. */
  verify(token: string): Promise<AuthUser>;
}

const ROLES: readonly string[] = ['user', 'editor', 'admin'];
const CLOCK_TOLERANCE_SECONDS = 5;

export function createAccessTokens(keys: KeySet, settings: AccessTokenSettings): AccessTokens {
  const algorithms = [...new Set([...keys.byKid.values()].map((k) => k.alg))];
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
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        },
      );
      return toUser(payload);
    },
  };
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
