import { createHash } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden } from '../../platform/http/errors.ts';
import { safeEqual } from './crypto.ts';
import type { AuthResult } from './sessions.ts';

/**
 * Cookie mode for web clients (`X-Auth-Transport: cookie`): the refresh token
 * travels only in an httpOnly, Secure, SameSite=Lax cookie scoped to the
 * refresh path, never in a body script could read. Refreshing with the cookie
 * needs `X-CSRF-Token`, a hash of the refresh token handed out in a readable
 * cookie: another site can make the browser send the cookie, but cannot read
 * the CSRF value to copy it into a header.
 */
export const REFRESH_COOKIE = 'o2o_refresh';
export const CSRF_COOKIE = 'o2o_csrf';
export const REFRESH_PATH = '/v1/auth/refresh';
/**
 * The access token as a cookie, for the one kind of request a browser cannot
 * add a header to: an `EventSource` (`GET /v1/realtime/sse`). Scoped to that
 * path, httpOnly, SameSite=Strict, and living as long as the token; routes
 * accept it only when they opt in (`config: { accessCookie: true }`).
 */
export const ACCESS_COOKIE = 'o2o_access';
export const ACCESS_PATH = '/v1/realtime';

export function wantsCookie(request: FastifyRequest): boolean {
  return request.headers['x-auth-transport'] === 'cookie';
}

export function csrfTokenFor(refreshToken: string): string {
  return createHash('sha256').update(`csrf:${refreshToken}`).digest('base64url');
}

export function setSessionCookies(
  reply: FastifyReply,
  tokens: { refreshToken: string; accessToken: string; expiresIn: number },
  maxAgeSeconds: number,
): string {
  const csrf = csrfTokenFor(tokens.refreshToken);
  const common = { secure: true, sameSite: 'lax' as const, maxAge: maxAgeSeconds };
  reply.setCookie(REFRESH_COOKIE, tokens.refreshToken, { ...common, httpOnly: true, path: REFRESH_PATH });
  reply.setCookie(CSRF_COOKIE, csrf, { ...common, httpOnly: false, path: '/' });
  reply.setCookie(ACCESS_COOKIE, tokens.accessToken, {
    secure: true,
    httpOnly: true,
    sameSite: 'strict',
    path: ACCESS_PATH,
    maxAge: tokens.expiresIn,
  });
  return csrf;
}

export function clearSessionCookies(reply: FastifyReply): void {
  reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_PATH, secure: true, httpOnly: true, sameSite: 'lax' });
  reply.clearCookie(CSRF_COOKIE, { path: '/', secure: true, sameSite: 'lax' });
  reply.clearCookie(ACCESS_COOKIE, { path: ACCESS_PATH, secure: true, httpOnly: true, sameSite: 'strict' });
}

/**
 * Shapes a token answer for the transport the client asked for. `byCookie`
 * forces cookie mode: a refresh token that came by cookie is answered by
 * cookie whatever the headers say, so it never lands in a body a script can read.
 */
export function deliver(
  request: FastifyRequest,
  reply: FastifyReply,
  result: AuthResult,
  maxAgeSeconds: number,
  byCookie = false,
) {
  if (!byCookie && !wantsCookie(request)) return result;
  const { refreshToken: _cookieOnly, ...rest } = result;
  return { ...rest, csrfToken: setSessionCookies(reply, result, maxAgeSeconds) };
}

/** The refresh token to use: from the body, or from the cookie with a matching CSRF header. */
export function presentedRefreshToken(
  request: FastifyRequest,
  fromBody: string | undefined,
): { token: string; viaCookie: boolean } | undefined {
  if (fromBody) return { token: fromBody, viaCookie: false };
  const cookie = request.cookies[REFRESH_COOKIE];
  if (!cookie) return undefined;
  const header = request.headers['x-csrf-token'];
  if (typeof header !== 'string' || !safeEqual(header, csrfTokenFor(cookie))) {
    throw forbidden('The X-CSRF-Token header is missing or does not match');
  }
  return { token: cookie, viaCookie: true };
}
