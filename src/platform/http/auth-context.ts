/**
 * Who is calling. The auth module verifies the bearer token in a global
 * onRequest hook and sets `request.user` when it is valid; routes that need a
 * caller use the `requireAuth` / `requireRole` hooks and read it with
 * `callerOf` (auth.ts). Platform pieces that only need the id (rate limits,
 * response caching) read it from here and so never import the auth module.
 */
export type Role = 'user' | 'editor' | 'admin';

export interface AuthUser {
  id: string;
  role: Role;
  /** The session (refresh-token family) the access token belongs to. */
  sessionId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: AuthUser;
  }
}

/** What a guard hook demands: a signed-in caller, perhaps with a role. */
export interface GuardTrait {
  role?: Role;
}

const GUARD = Symbol.for('o2o.guard');

/**
 * Marks a hook as a guard, so the OpenAPI document derives each route's
 * `security`, 401 and 403 from the hooks that actually protect it
 * (src/platform/http/openapi.ts) instead of from a hand-written copy.
 */
export function guard<T extends object>(hook: T, trait: GuardTrait = {}): T {
  Object.defineProperty(hook, GUARD, { value: trait });
  return hook;
}

export function guardOf(hook: unknown): GuardTrait | undefined {
  return typeof hook === 'function' ? (hook as unknown as Record<symbol, GuardTrait>)[GUARD] : undefined;
}
