import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { callerOf } from '../../platform/http/auth.ts';
import { guard, isApiKey } from '../../platform/http/auth-context.ts';
import { AppError } from '../../platform/http/errors.ts';
import { routeOf } from '../../platform/http/route-of.ts';
import type { Platform } from '../../platform/platform.ts';
import { accessCookieOf } from './access-cookie.ts';
import { TokenRevokedError } from './access-tokens.ts';
import { type AuthContext, authContext, type RequestMeta } from './context.ts';
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

/** Signed out, suspended, deleted, password changed...: refreshing will not help, signing in may. */
const revokedToken = () =>
  new AppError(401, 'TOKEN_REVOKED', 'The session of this access token has ended; sign in again', {
    headers: { 'www-authenticate': 'Bearer error="invalid_token", error_description="revoked"' },
  });

export const authGlobal = fp(
  async (app: FastifyInstance, opts: { platform: Platform }) => {
    const ctx = await authContext(opts.platform, app.log);
    app.decorate(CONTEXT, ctx);
    // request.user is assigned, not decorated: test helpers decorate it with a getter of their own.

    // A callback hook, not async: it runs on every request, and most carry no token at all.
    app.addHook('onRequest', (request, _reply, done) => {
      // A route with its own bearer secret (/metrics with METRICS_TOKEN) is not sent an access token.
      if (routeOf(request).config?.ownBearer) return done();
      const header = request.headers.authorization;
      let token: string | undefined;
      try {
        // Routes that opt in (the SSE stream) also take the web session's access cookie.
        token = header ? bearerToken(header) : accessCookieOf(request, opts.platform.config);
      } catch (error) {
        return done(error as Error);
      }
      // An API key (`Bearer o2o_…`) is the api-keys module's to check.
      if (token === undefined || isApiKey(token)) return done();
      ctx.accessTokens.verify(token).then(
        (user) => {
          request.user = user;
          done();
        },
        (error: unknown) =>
          done(
            error instanceof TokenRevokedError
              ? revokedToken()
              : invalidToken('The access token is invalid or has expired'),
          ),
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

/**
 * A route hook for sensitive routes: besides a valid token, its session must
 * still be live (not logged out, reset, suspended or deleted), at the cost of one query.
 */
export const requireLiveSession: onRequestAsyncHookHandler = guard(async (request) => {
  const caller = callerOf(request);
  const session = await findLiveSession(contextOf(request), { userId: caller.id }, caller.sessionId);
  if (!session) throw invalidToken('The session has ended; sign in again');
});
