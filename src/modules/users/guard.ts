import type { FastifyRequest } from 'fastify';
import type { AuthUser, Role } from '../../platform/http/auth-context.ts';
import { forbidden, unauthenticated } from '../../platform/http/errors.ts';

/**
 * Route guards until the auth module's `requireAuth` / `requireRole` land on
 * main: same contract (auth sets `request.user`; these only read it), so the
 * swap is this one file. Hooks are callbacks for the same reason as the
 * platform's: they run on every request.
 */
export function requireAuth(request: FastifyRequest, _reply: unknown, done: (error?: Error) => void): void {
  done(request.user ? undefined : unauthenticated());
}

export function requireRole(role: Role) {
  return (request: FastifyRequest, _reply: unknown, done: (error?: Error) => void): void => {
    if (!request.user) done(unauthenticated());
    else done(request.user.role === role ? undefined : forbidden());
  };
}

/** The caller of a guarded route. */
export function caller(request: FastifyRequest): AuthUser {
  if (!request.user) throw unauthenticated();
  return request.user;
}
