import type { FastifyRequest } from 'fastify';

/**
 * Per-endpoint rate limits: the one place to read or change them. They apply
 * on top of the global, per-IP and per-user levels (a request is counted
 * under every level that applies) and are keyed by `METHOD /route/pattern`,
 * exactly as the route is registered (with its `/v1` prefix and `:params`).
 * A route listed here that does not exist yet simply never matches.
 *
 * `by` names what is counted: the client address (IPv6 per /64), the signed-in
 * user (the policy is skipped for anonymous calls), or a value taken from the
 * request, e.g. the account a login names (skipped when absent).
 *
 * These are gateway limits, counted in Redis and falling back to per-process
 * counters when Redis is down. The auth module keeps its own failed-login and
 * MFA counters, which fail closed (issue 5); these do not replace them.
 */
export interface EndpointPolicy {
  /** Shown in RateLimit-Policy and used in the counter's key: unique, lower-kebab. */
  name: string;
  by: 'ip' | 'user' | ((request: FastifyRequest) => string | undefined);
  limit: number;
  windowSeconds: number;
}

/** The e-mail a request body names, normalised the way auth normalises it. */
export function bodyEmail(request: FastifyRequest): string | undefined {
  // Runs before validation: the body may be anything the client sent.
  const { body } = request;
  if (typeof body !== 'object' || body === null || !('email' in body)) return undefined;
  if (typeof body.email !== 'string') return undefined;
  const email = body.email.trim().toLowerCase();
  return email === '' ? undefined : email;
}

export const ENDPOINT_POLICIES: Record<string, EndpointPolicy[]> = {
  'POST /v1/auth/login': [
    { name: 'login-ip', by: 'ip', limit: 10, windowSeconds: 60 },
    { name: 'login-account', by: bodyEmail, limit: 5, windowSeconds: 60 },
  ],
  'POST /v1/auth/mfa/challenge': [{ name: 'mfa-ip', by: 'ip', limit: 10, windowSeconds: 60 }],
  'GET /v1/auth/challenge': [{ name: 'challenge-ip', by: 'ip', limit: 30, windowSeconds: 60 }],
  'POST /v1/auth/register': [{ name: 'register-ip', by: 'ip', limit: 5, windowSeconds: 3600 }],
  'POST /v1/auth/password/forgot': [
    { name: 'forgot-ip', by: 'ip', limit: 5, windowSeconds: 3600 },
    { name: 'forgot-account', by: bodyEmail, limit: 3, windowSeconds: 3600 },
  ],
  'POST /v1/auth/password/reset': [{ name: 'reset-ip', by: 'ip', limit: 10, windowSeconds: 3600 }],
  'POST /v1/auth/email/resend': [{ name: 'verify-resend-user', by: 'user', limit: 3, windowSeconds: 3600 }],
  'GET /v1/users/search': [{ name: 'search-user', by: 'user', limit: 30, windowSeconds: 60 }],
  // AI coach: each message costs a model call. Both spellings the coach module may choose.
  'POST /v1/coach/messages': [{ name: 'coach-user', by: 'user', limit: 20, windowSeconds: 60 }],
  'POST /v1/coach/conversations/:id/messages': [
    { name: 'coach-user', by: 'user', limit: 20, windowSeconds: 60 },
  ],
};

export function policiesFor(method: string, url: string | undefined): EndpointPolicy[] {
  if (url === undefined) return [];
  return ENDPOINT_POLICIES[`${method} ${url}`] ?? [];
}
