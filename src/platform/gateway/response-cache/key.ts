import { hash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { routeOf } from '../../http/route-of.ts';

/**
 * The cache key: who (user id for private data, nobody for public), which
 * route (pattern and params) and the normalised query. Normalised means the
 * validated query (defaults applied, types coerced) with keys sorted, so
 * `?b=2&a=1`, `?a=1&b=2` and `?a=1&b=2&limit=20` (20 being the default) share
 * an entry. Hashed: bounded length, and no user data in Redis key names.
 */
export function cacheKey(request: FastifyRequest, userId: string | undefined, variant?: string): string {
  const parts = [
    // The entry format's version: a deploy that changes it never reads the old one.
    2,
    userId === undefined ? 'public' : `user:${userId}`,
    routeOf(request).url ?? '',
    sorted(request.params),
    sorted(request.query),
  ];
  // Only routes that declare one: every other key stays as it was.
  if (variant !== undefined) parts.push(variant);
  return hash('sha256', JSON.stringify(parts), 'base64url');
}

function sorted(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  return JSON.stringify(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A strong validator computed from the cached data (not from the envelope, whose meta changes per request). */
export function etagOf(body: string): string {
  return `"${hash('sha256', body, 'base64url').slice(0, 27)}"`;
}

/** RFC 9110 If-None-Match: weak comparison, `*` matches anything. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}
