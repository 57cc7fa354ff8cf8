import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { unauthenticated } from '../../platform/http/errors.ts';

/** The caller of a route guarded by auth's `requireAuth` / `requireRole`. */
export function caller(request: FastifyRequest): AuthUser {
  if (!request.user) throw unauthenticated();
  return request.user;
}
