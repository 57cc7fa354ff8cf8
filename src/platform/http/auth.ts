import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { type AuthUser, guard, type Role } from './auth-context.ts';
import { AppError, forbidden } from './errors.ts';
import { routeOf } from './route-of.ts';

/**
 * The one way a route reads its caller, and the route hooks that require one.
 * The auth module's global hook sets `request.user` from a valid access token
 * (auth-context.ts); these only read it, so any module can guard its routes
 * without importing auth.
 */

/** 401 for a route that needs a caller and got none; the header tells clients to send a bearer token. */
export const authenticationRequired = () =>
  new AppError(401, 'UNAUTHENTICATED', 'Authentication is required', {
    headers: { 'www-authenticate': 'Bearer' },
  });

/** The signed-in caller of this request, or a 401. */
export function callerOf(request: FastifyRequest): AuthUser {
  if (!request.user) throw authenticationRequired();
  return request.user;
}

/**
 * Whether an API key lets this request through the guard: only on a route
 * that names a scope (`config.apiKeyScope`) the key holds. A key on any
 * other guarded route is a 403, never a fall-through to "anonymous".
 */
function passesWithApiKey(request: FastifyRequest): boolean {
  const key = request.apiKey;
  if (!key) return false;
  const scope = routeOf(request).config.apiKeyScope;
  if (scope === undefined) throw forbidden('This route does not accept API keys');
  if (!key.scopes.includes(scope)) throw forbidden(`This API key lacks the ${scope} scope`);
  return true;
}

/** A route hook: the caller must present a valid access token (or an API key with the route's scope). */
export const requireAuth: onRequestAsyncHookHandler = guard(async (request) => {
  if (passesWithApiKey(request)) return;
  callerOf(request);
});

const RANK: Record<Role, number> = { user: 0, editor: 1, admin: 2 };

/** A route hook: a valid token with at least this role (admin passes every check), or an API key with the route's scope. */
export function requireRole(role: Role): onRequestAsyncHookHandler {
  return guard<onRequestAsyncHookHandler>(
    async (request) => {
      if (passesWithApiKey(request)) return;
      if (RANK[callerOf(request).role] < RANK[role]) throw forbidden(`This needs the ${role} role`);
    },
    { role },
  );
}
