import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from './errors.ts';

/**
 * The API version comes from the path (`/v1/...`), the Accept header
 * (`application/vnd.api.v1+json`) or the query (`?version=1`). Header and query
 * are turned into the path form before routing, so every route is registered
 * once under its `/vN` prefix.
 */
export const SUPPORTED_VERSIONS = ['v1'] as const;

/** Paths that are not part of the versioned API. */
const UNVERSIONED = ['/health', '/ready', '/metrics', '/docs', '/.well-known/', '/graphql', '/favicon.ico'];

const PATH_VERSION = /^\/(v\d+)(?=\/|$|\?)/;
const ACCEPT_VERSION = /application\/vnd\.api\.(v\d+)\+json/;
const QUERY_VERSION = /(?:^|&)version=([^&]*)/;

const requestedVersion = Symbol('requestedVersion');

type VersionedRequest = IncomingMessage & { [requestedVersion]?: string };

export function rewriteVersionedUrl(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const fromPath = PATH_VERSION.exec(path)?.[1];
  const accept = req.headers.accept;
  const fromHeader = accept ? ACCEPT_VERSION.exec(accept)?.[1] : undefined;
  const rawQuery = queryStart === -1 ? undefined : QUERY_VERSION.exec(url.slice(queryStart + 1))?.[1];
  const fromQuery = rawQuery === undefined ? undefined : `v${decodeQueryValue(rawQuery).replace(/^v/, '')}`;

  const asked = [fromPath, fromHeader, fromQuery].filter((v): v is string => v !== undefined);
  if (asked.length === 0) return url;
  const version = asked.find((v) => !isSupported(v)) ?? asked[0]!;
  if (!isSupported(version) || asked.some((v) => v !== version)) {
    (req as VersionedRequest)[requestedVersion] = asked.join(',');
    return url;
  }
  if (fromPath || UNVERSIONED.some((prefix) => path === prefix || path.startsWith(prefix))) return url;
  return `/${version}${url}`;
}

/**
 * rewriteUrl runs before Fastify's error handling: a throw here (`?version=%E0`)
 * would escape the request. Undecodable text stays as sent, an unsupported version.
 */
function decodeQueryValue(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function isSupported(version: string): boolean {
  return (SUPPORTED_VERSIONS as readonly string[]).includes(version);
}

/** Called from an onRequest hook: rejects what rewriteVersionedUrl flagged. */
export function assertSupportedVersion(req: IncomingMessage): void {
  const asked = (req as VersionedRequest)[requestedVersion];
  if (asked === undefined) return;
  throw new AppError(
    400,
    'UNSUPPORTED_VERSION',
    `API version ${asked} is not supported; supported versions: ${SUPPORTED_VERSIONS.join(', ')}`,
  );
}

/**
 * The version check as an onRequest hook. Register it after the security
 * headers and CORS: a failing onRequest hook ends the chain, so hooks added
 * after it would never put their headers on the 400.
 */
export const versionCheck = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', (request, _reply, done) => {
      try {
        assertSupportedVersion(request.raw);
        done();
      } catch (error) {
        done(error as Error);
      }
    });
  },
  { name: 'version-check' },
);
