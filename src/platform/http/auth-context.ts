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

/**
 * A server-to-server client authenticated by an API key (the api-keys
 * module's global hook sets `request.apiKey`). It is not a user: a key only
 * passes the guards of routes that name one of its scopes in
 * `config.apiKeyScope`, and `callerOf` still answers 401 for it.
 */
export interface ApiKeyCaller {
  id: string;
  scopes: readonly string[];
  /** Its own per-minute limit, counted by the gateway's rate limiter under `key:<id>`. */
  ratePerMinute: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: AuthUser;
    apiKey?: ApiKeyCaller;
  }
  interface FastifyContextConfig {
    /**
     * The one scope (`content:read`) with which an API key may call this route; without
     * it, keys are refused with 403. The route's guard decides the rest as for any caller.
     */
    apiKeyScope?: string;
  }
}

/**
 * What every API key starts with (`o2o_live_…`). The access-token check
 * leaves bearer values with this prefix to the API-key check, so neither
 * module needs the other; secret scanners can match it too.
 */
export const API_KEY_PREFIX = 'o2o_';

export const isApiKey = (token: string) => token.startsWith(API_KEY_PREFIX);

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
