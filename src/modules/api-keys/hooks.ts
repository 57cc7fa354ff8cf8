import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isApiKey } from '../../platform/http/auth-context.ts';
import { AppError } from '../../platform/http/errors.ts';
import { routeOf } from '../../platform/http/route-of.ts';
import type { Platform } from '../../platform/platform.ts';
import { apiKeysContext } from './context.ts';
import { collectScopes } from './scopes.ts';
import { authenticate } from './service.ts';

const oneCredential = () =>
  new AppError(401, 'UNAUTHENTICATED', 'Send either an access token or an API key, not both', {
    headers: { 'www-authenticate': 'Bearer' },
  });

/** The key a request presents: `X-API-Key`, or `Authorization: Bearer o2o_…`. */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  const authorization = request.headers.authorization;
  const space = authorization?.indexOf(' ') ?? -1;
  const bearer =
    authorization && space > 0 && authorization.slice(0, space).toLowerCase() === 'bearer'
      ? authorization.slice(space + 1).trim()
      : undefined;
  if (header === undefined) return bearer !== undefined && isApiKey(bearer) ? bearer : undefined;
  // A key beside an access token would leave "who is calling" to hook order: refuse.
  if (authorization !== undefined || Array.isArray(header)) throw oneCredential();
  return header.trim();
}

/**
 * The request-wide half of API keys, in every API process whatever MODULES
 * says (like auth's bearer check): a presented key must be valid (else 401
 * at once) and becomes `request.apiKey`; the route guards then let it through
 * only where the route names one of its scopes. Also collects the scope
 * catalogue from the routes registered after it.
 */
export const apiKeysGlobal = fp(
  async (app: FastifyInstance, opts: { platform: Platform }) => {
    const ctx = apiKeysContext(opts.platform, app.log);
    collectScopes(app, ctx.scopes);
    // A callback hook: it runs on every request, and almost none carry a key.
    app.addHook('onRequest', (request, _reply, done) => {
      if (routeOf(request).config?.ownBearer) return done();
      let key: string | undefined;
      try {
        key = presentedKey(request);
      } catch (error) {
        return done(error as Error);
      }
      if (key === undefined) return done();
      authenticate(ctx, key).then((caller) => {
        request.apiKey = caller;
        done();
      }, done);
    });
  },
  { name: 'api-keys-global' },
);
