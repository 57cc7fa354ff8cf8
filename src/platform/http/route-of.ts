import type { FastifyRequest } from 'fastify';

type RouteView = FastifyRequest['routeOptions'];

declare module 'fastify' {
  interface FastifyRequest {
    /** The route's options, read once per request (see routeOf). */
    routeView: RouteView | null;
  }
}

/**
 * `request.routeOptions` builds a new twelve-field object on every read, and the
 * platform's hooks read it five to nine times per request; the route's options do
 * not change while it runs, so the first read is kept on the request.
 */
export function routeOf(request: FastifyRequest): RouteView {
  request.routeView ??= request.routeOptions;
  return request.routeView;
}
