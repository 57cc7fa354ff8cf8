import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { guard, type Role } from '../../platform/http/auth-context.ts';
import { AppError, forbidden } from '../../platform/http/errors.ts';
import type { Platform } from '../../platform/platform.ts';
import { registerIdentityConfirmer } from '../users/index.ts';
import { accessCookieOf } from './access-cookie.ts';
import { type AuthContext, authContext, type RequestMeta } from './context.ts';
import { confirmIdentity } from './mfa.ts';
import { findLiveSession } from './sessions.ts';

/**
 * The request-wide half of auth: a bearer token, when present, must verify
 * (else 401 at once) and becomes `request.user`; JWKS for gateways. Route
 * hooks below decide who may call what.
 */
const CONTEXT = Symbol('authContext');

const invalidToken = (message: string) =>
  new AppError(401, 'UNAUTHENTICATED', message, {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });

const missing = () =>
  new AppError(401, 'UNAUTHENTICATED', 'Authentication is required', {
    headers: { 'www-authenticate': 'Bearer' },
  });

export const authGlobal = fp(
  async (app: FastifyInstance, opts: { platform: Platform }) => {
    const ctx = await authContext(opts.platform, app.log);
    app.decorate(CONTEXT, ctx);
    // request.user is assigned, not decorated: test helpers decorate it with a getter of their own.
    // The users module asks auth to confirm a password or MFA code before deleting an account.
    registerIdentityConfirmer((userId, proof) => confirmIdentity(ctx, userId, proof));

    // A callback hook, not async: it runs on every request, and most carry no token at all.
    app.addHook('onRequest', (request, _reply, done) => {
      const header = request.headers.authorization;
      let token: string | undefined;
      try {
        // Routes that opt in (the SSE stream) also take the web session's access cookie.
        token = header ? bearerToken(header) : accessCookieOf(request, opts.platform.config);
      } catch (error) {
        return done(error as Error);
      }
      if (token === undefined) return done();
      ctx.accessTokens.verify(token).then(
        (user) => {
          request.user = user;
          done();
        },
        () => done(invalidToken('The access token is invalid or has expired')),
      );
    });

    app.get(
      '/.well-known/jwks.json',
      {
        config: { rawBody: true },
        schema: { tags: ['auth'], summary: 'Public keys that verify access tokens (JWKS)' },
      },
      async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        return ctx.keys.jwks;
      },
    );
  },
  { name: 'auth-global' },
);

function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space === -1 || header.slice(0, space).toLowerCase() !== 'bearer') return undefined;
  return header.slice(space + 1).trim();
}

export function contextOf(request: FastifyRequest): AuthContext {
  const ctx = (request.server as unknown as Record<symbol, AuthContext | undefined>)[CONTEXT];
  if (!ctx) throw new Error('auth is not mounted in this process (MODULES)');
  return ctx;
}

export function metaOf(request: FastifyRequest): RequestMeta {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent.slice(0, 512) : null };
}

/** A route hook: the caller must present a valid access token. */
export const requireAuth: onRequestAsyncHookHandler = guard(async (request) => {
  if (!request.user) throw missing();
});

const RANK: Record<Role, number> = { user: 0, editor: 1, admin: 2 };

/** A route hook: a valid token with at least this role (admin passes every check). */
export function requireRole(role: Role): onRequestAsyncHookHandler {
  return guard<onRequestAsyncHookHandler>(
    async (request) => {
      if (!request.user) throw missing();
      if (RANK[request.user.role] < RANK[role]) throw forbidden(`This needs the ${role} role`);
    },
    { role },
  );
}

/**
 * A route hook for sensitive routes: besides a valid token, its session must
 * still be live (not logged out, reset, suspended or deleted), at the cost of one query.
 */
export const requireLiveSession: onRequestAsyncHookHandler = guard(async (request) => {
  if (!request.user) throw missing();
  const session = await findLiveSession(
    contextOf(request),
    { userId: request.user.id },
    request.user.sessionId,
  );
  if (!session) throw invalidToken('The session has ended; sign in again');
});
