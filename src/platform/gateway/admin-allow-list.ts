import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../http/errors.ts';
import { routeOf } from '../http/route-of.ts';
import { inRanges, parseIpRange } from './ip-ranges.ts';

/** Staff routes: the platform's and every module's admin plugin mount here. */
const ADMIN = /^\/v1\/admin(?:\/|$|\?)/;

export const ipNotAllowed = () =>
  new AppError(403, 'IP_NOT_ALLOWED', 'Admin routes are not reachable from this address');

/**
 * ADMIN_ALLOWED_IPS: requests to /v1/admin/* from any other client address
 * get 403 `IP_NOT_ALLOWED`. An onRequest hook registered before the modules'
 * global hooks, so a refused request costs no token verification or API-key
 * lookup. The address is `request.ip`, i.e. the forwarded one only when the
 * socket peer is in TRUST_PROXY (client-address.ts), so a client cannot talk
 * its way in with X-Forwarded-For. Unset: no restriction.
 */
export const adminAllowList = fp(
  async (app: FastifyInstance, opts: { allowed: readonly string[] }) => {
    if (opts.allowed.length === 0) return;
    const ranges = opts.allowed.map(parseIpRange);
    app.addHook('onRequest', (request, _reply, done) => {
      // The matched route when there is one (the router decoded its path), else the path as sent.
      const path = routeOf(request).url ?? request.url;
      if (!ADMIN.test(path) || inRanges(request.ip, ranges)) return done();
      done(ipNotAllowed());
    });
  },
  { name: 'admin-allow-list' },
);
