import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WEB_APP_HEADERS } from './security-headers.ts';

export interface WebAppOptions {
  /** The built web app (web/dist): index.html, hashed files under assets/, the service worker, icons. */
  dir: string;
}

// Paths the API owns: an unknown one is the API's 404 in the envelope, never the app's page.
const API_PATHS = /^\/(v\d+|docs|graphql|graphiql|health|ready|metrics|\.well-known)(\/|$)/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
// The page and the service worker must be revalidated on every load, or a deploy never reaches anyone.
const REVALIDATE = 'no-cache';

/** Whether a built web app is there to serve. */
export function hasWebApp(dir: string | undefined): dir is string {
  return dir !== undefined && existsSync(path.join(dir, 'index.html'));
}

/**
 * Serves the built web app from the API's own process: hashed assets cached
 * for a year as immutable, the page, service worker and manifest revalidated
 * on every load, and any other page path (`/notes`, `/admin/users`) answered
 * with the app's page so client-side routes survive a reload. @fastify/static
 * does the file work (ETag, Last-Modified, ranges, 304).
 */
export async function webApp(app: FastifyInstance, options: WebAppOptions): Promise<void> {
  const { dir } = options;
  // Files, not envelopes; and not part of the API's contract.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, rawBody: true };
    route.schema = { ...route.schema, hide: true };
  });
  // A page, not a JSON answer: the app's own scripts, styles and media may load (security-headers.ts).
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(WEB_APP_HEADERS);
    done();
  });
  await app.register(fastifyStatic, { root: dir, serve: false, cacheControl: false, index: false });

  const sendPage = (reply: FastifyReply) =>
    reply.header('cache-control', REVALIDATE).type('text/html; charset=utf-8').sendFile('index.html', dir);

  app.get('/assets/*', (request: FastifyRequest<{ Params: { '*': string } }>, reply) =>
    reply.header('cache-control', IMMUTABLE).sendFile(request.params['*'], path.join(dir, 'assets')),
  );
  // The files at the top (sw.js, manifest.webmanifest, icons) keep their names across builds.
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name === 'index.html' || entry.name.endsWith('.map')) continue;
    app.get(`/${entry.name}`, (_request, reply) =>
      reply.header('cache-control', REVALIDATE).sendFile(entry.name, dir),
    );
  }
  app.get('/', (_request, reply) => sendPage(reply));
  // The service worker precaches the page by this name (with `Accept: */*`): without it the
  // worker's install fails, so there would be no offline shell and no Web Push.
  app.get('/index.html', (_request, reply) => sendPage(reply));
  // Any other path is the app's page, for the requests the `page` constraint admits; the router
  // leaves every other request (an unknown API path, a JSON request) to the API's 404 or 405.
  if (!app.hasConstraintStrategy(PAGE_REQUEST.name)) app.addConstraintStrategy(PAGE_REQUEST);
  app.get('/*', { constraints: { [PAGE_REQUEST.name]: true } }, (_request, reply) => sendPage(reply));
}

/**
 * A browser asking for a page (it accepts HTML) at a path the API does not own. A route
 * constraint rather than a check in the handler: a request it refuses finds no route at all,
 * so conventions.ts computes 404 and 405 from the routes without an exception for this one.
 * Derived on every request once the page route is registered (a regex and a header read).
 */
type Strategy = Parameters<FastifyInstance['addConstraintStrategy']>[0];
type RouteHandler = Parameters<ReturnType<Strategy['storage']>['set']>[1];

const PAGE_REQUEST: Strategy = {
  name: 'page',
  mustMatchWhenDerived: false,
  storage() {
    const stores = new Map<unknown, RouteHandler>();
    return {
      get: (value) => stores.get(value) ?? null,
      set: (value, store) => void stores.set(value, store),
    };
  },
  validate(value: unknown) {
    if (value !== true) throw new Error('the page constraint takes true');
  },
  deriveConstraint(request) {
    const pathname = request.url?.split('?')[0] ?? '/';
    return !API_PATHS.test(pathname) && acceptsHtml(request.headers.accept);
  },
};

function acceptsHtml(accept: string | undefined): boolean {
  return (accept ?? '').includes('text/html');
}
