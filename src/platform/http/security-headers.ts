import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';

type HelmetOptions = Parameters<typeof helmet>[0];

/**
 * Runs helmet once against a recording response and returns the headers it
 * set. helmet stays the authority on what the headers say; computing them
 * once instead of per request (as @fastify/helmet does, re-serialising the
 * CSP every time) halved throughput on a small route in bench/.
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as never, res as never, () => {});
  return headers;
}

// A JSON API renders nothing, so its responses may load and frame nothing. Headers that
// only mean something for an HTML document (opener isolation, agent clusters, DNS
// prefetch, IE downloads, Flash policies, the retired XSS auditor) are left off, as the
// OWASP REST Security Cheat Sheet advises: each costs bytes and validation on every response.
const API_HEADERS = helmetHeaders({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  frameguard: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
});

// The docs page runs Swagger UI, which needs its own scripts, styles and inline images.
const DOCS_HEADERS = helmetHeaders({
  contentSecurityPolicy: {
    directives: {
      imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", 'https:', "'unsafe-inline'"],
    },
  },
});

// GraphiQL (outside production only) loads React and itself from unpkg and queries /graphql.
const GRAPHIQL_HEADERS = helmetHeaders({
  contentSecurityPolicy: {
    directives: {
      scriptSrc: ["'self'", 'https://unpkg.com'],
      styleSrc: ["'self'", 'https://unpkg.com', "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      workerSrc: ["'self'"],
    },
  },
});

// The web app (web/dist, served at /; web-app.ts sets these on its routes): its own scripts, styles and media only; the API and the
// realtime socket on the same origin; images from uploads (blob:) and avatars (data:).
export const WEB_APP_HEADERS = helmetHeaders({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      mediaSrc: ["'self'", 'blob:'],
      connectSrc: ["'self'"],
      workerSrc: ["'self'"],
      manifestSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
});

export function securityHeadersFor(url: string): Record<string, string> {
  if (url.startsWith('/docs')) return DOCS_HEADERS;
  if (url.startsWith('/graphiql')) return GRAPHIQL_HEADERS;
  return API_HEADERS;
}

export const securityHeaders = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', (request, reply, done) => {
      reply.headers(securityHeadersFor(request.url));
      done();
    });
  },
  { name: 'security-headers' },
);
