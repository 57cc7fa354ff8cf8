import { fastifyCookie } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../platform/config.ts';
import { forbidden } from '../../platform/http/errors.ts';
import { routeOf } from '../../platform/http/route-of.ts';
import { ACCESS_COOKIE } from './transport.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Also accept the access token from the `o2o_access` cookie when no
     * Authorization header is sent (an EventSource cannot send one). Only
     * for GET routes without side effects: a cookie rides along with
     * requests the user did not mean to make.
     */
    accessCookie?: boolean;
  }
}

/**
 * The access-token cookie of a request to a route that accepts it, or
 * undefined. A cross-origin browser request always carries `Origin`; it may
 * use the cookie only from an origin in CORS_ORIGINS (never `*`) or the API's
 * own, so another site cannot read a user's stream with their cookie. No
 * `Origin` means a same-origin GET or not a browser.
 */
export function accessCookieOf(request: FastifyRequest, config: Config): string | undefined {
  if (routeOf(request).config?.accessCookie !== true) return undefined;
  const header = request.headers.cookie;
  if (!header) return undefined;
  const token = fastifyCookie.parse(header)[ACCESS_COOKIE];
  if (!token) return undefined;
  const origin = request.headers.origin;
  if (origin !== undefined && !originAllowed(origin, request, config)) {
    throw forbidden(`The session cookie may not be used from ${origin.slice(0, 200)}`);
  }
  return token;
}

function originAllowed(origin: string, request: FastifyRequest, config: Config): boolean {
  if (config.corsOrigins.includes(origin)) return true;
  const own = [`${request.protocol}://${request.host}`];
  if (config.publicUrl) own.push(new URL(config.publicUrl).origin);
  return own.includes(origin);
}
