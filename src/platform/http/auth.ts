import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { AuthUser, Role } from './auth-context.ts';
import { AppError, forbidden } from './errors.ts';

/**
 * Who may call a route. The auth module verifies the bearer token in its
 * global hook and sets `request.user`; these hooks and `callerOf` are the
 * only way routes read it.
 */
const missing = () =>
  new AppError(401, 'UNAUTHENTICATED', 'Authentication is required', {
    headers: { 'www-authenticate': 'Bearer' },
  });

/** The signed-in caller; 401 when the request carries no valid token. */
export function callerOf(request: FastifyRequest): AuthUser {
  if (!request.user) throw missing();
  return request.user;
}

/** A route hook: the caller must present a valid access token. */
export const requireAuth: onRequestAsyncHookHandler = async (request) => {
  if (!request.user) throw missing();
};

const RANK: Record<Role, number> = { user: 0, editor: 1, admin: 2 };

/** A route hook: a valid token with at least this role (admin passes every check). */
export function requireRole(role: Role): onRequestAsyncHookHandler {
  return async (request) => {
    if (!request.user) throw missing();
    if (RANK[request.user.role] < RANK[role]) throw forbidden(`This needs the ${role} role`);
  };
}
