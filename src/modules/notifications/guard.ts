import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { AppError, forbidden } from '../../platform/http/errors.ts';

/**
 * STAND-IN until the auth module's `requireAuth` / `requireRole` are on main:
 * the same contract (a caller in `request.user`, set by auth's global hook),
 * in the one file to change when they land.
 */
const missing = () =>
  new AppError(401, 'UNAUTHENTICATED', 'Authentication is required', {
    headers: { 'www-authenticate': 'Bearer' },
  });

export const requireUser: onRequestAsyncHookHandler = async (request) => {
  if (!request.user) throw missing();
};

export const requireAdmin: onRequestAsyncHookHandler = async (request) => {
  if (!request.user) throw missing();
  if (request.user.role !== 'admin') throw forbidden('This needs the admin role');
};

/** The caller of a route guarded by `requireUser`. */
export function caller(request: FastifyRequest): AuthUser {
  return request.user!;
}
