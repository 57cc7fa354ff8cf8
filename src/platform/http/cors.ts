import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** Response headers a browser script may read. */
const EXPOSED_HEADERS = [
  'x-request-id',
  'retry-after',
  'ratelimit',
  'ratelimit-policy',
  'deprecation',
  'sunset',
  'etag',
  'x-cache',
];

/**
 * Every request header the API reads; a preflight asking for others is not
 * granted them. Keep in step with the code: a header missing here works from
 * curl and fails only in a browser.
 */
export const ALLOWED_REQUEST_HEADERS = [
  'accept',
  'authorization',
  'content-type',
  'idempotency-key',
  'if-none-match',
  'last-event-id',
  'x-auth-transport',
  'x-csrf-token',
  'x-request-id',
];

/** @fastify/cors allows only GET, HEAD and POST unless told otherwise. */
export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * CORS for the configured origins (`*` allows any origin, without credentials).
 * No configured origin means no browser may call cross-origin: no CORS headers at all.
 */
export const crossOrigin = fp(
  async (app: FastifyInstance, opts: { origins: string[] }) => {
    if (opts.origins.length === 0) return;
    const any = opts.origins.includes('*');
    await app.register(cors, {
      origin: any ? true : opts.origins,
      credentials: !any,
      methods: ALLOWED_METHODS,
      allowedHeaders: ALLOWED_REQUEST_HEADERS,
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    });
  },
  { name: 'cross-origin' },
);

/**
 * The CORS headers of a simple (non-preflight) answer, for the few answers Fastify sends
 * before any hook runs (an undecodable URL): the same decisions @fastify/cors makes.
 */
export function crossOriginHeaders(origins: string[], request: FastifyRequest, reply: FastifyReply): void {
  if (origins.length === 0) return;
  reply.header('vary', 'Origin');
  const origin = request.headers.origin;
  if (!origin) return;
  const any = origins.includes('*');
  if (!any && !origins.includes(origin)) return;
  reply.header('access-control-allow-origin', origin);
  if (!any) reply.header('access-control-allow-credentials', 'true');
  reply.header('access-control-expose-headers', EXPOSED_HEADERS.join(', '));
}
