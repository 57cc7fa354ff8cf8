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
