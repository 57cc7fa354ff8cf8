import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf, requireAuth } from '../../platform/http/auth.ts';
import { Enveloped, ErrorAnswer, Redirect } from '../../platform/http/envelope.ts';
import type { AuthContext } from './context.ts';
import { metaOf, requireLiveSession } from './hooks.ts';
import { finishOAuth, listIdentities, startOAuth, unlinkIdentity } from './oauth.ts';
import * as s from './schemas.ts';
import { setSessionCookies } from './transport.ts';

const tags = ['auth'];
const security = [{ bearerAuth: [] }];
const sensitive = { onRequest: [requireAuth, requireLiveSession], security };
const STATE_COOKIE = 'o2o_oauth_state';
const STATE_PATH = '/v1/auth/oauth';

/**
 * Browser-driven OpenID Connect login. The callback ends in cookie mode: it
 * sets the refresh and CSRF cookies and redirects to the web app, which then
 * calls POST /v1/auth/refresh for its first access token.
 */
export const oauthRoutes: FastifyPluginAsyncTypebox<{ ctx: AuthContext }> = async (app, opts) => {
  const { ctx } = opts;

  app.get(
    '/auth/oauth/:provider/start',
    {
      schema: {
        tags,
        summary: 'Redirect to the provider (code + PKCE, state, nonce)',
        params: s.ProviderParams,
        response: { 302: Redirect },
      },
    },
    async (request, reply) => {
      const { url, state } = await startOAuth(ctx, request.params.provider);
      reply.setCookie(STATE_COOKIE, state, {
        httpOnly: true,
        secure: true,
        sameSite: 'lax',
        path: STATE_PATH,
        maxAge: 600,
      });
      return reply.redirect(url, 302);
    },
  );

  app.get(
    '/auth/oauth/:provider/callback',
    {
      schema: {
        tags,
        summary: 'Where the provider sends the browser back; sets the session cookies',
        params: s.ProviderParams,
        querystring: s.CallbackQuery,
        // 403: the provider did not confirm the email address.
        response: { 302: Redirect, 403: ErrorAnswer },
      },
    },
    async (request, reply) => {
      const { provider } = request.params;
      const cookieState = request.cookies[STATE_COOKIE];
      reply.clearCookie(STATE_COOKIE, { path: STATE_PATH });
      const result = await finishOAuth(ctx, provider, { query: request.query, cookieState }, metaOf(request));
      setSessionCookies(reply, result, ctx.config.refreshTokenTtlSeconds);
      return reply.redirect(`${ctx.appUrl}/auth/complete`, 302);
    },
  );

  app.get(
    '/auth/identities',
    {
      ...sensitive,
      schema: {
        tags,
        security,
        summary: 'Linked sign-in providers',
        response: { 200: Enveloped(Type.Array(s.Identity)) },
      },
    },
    async (request) => listIdentities(ctx, callerOf(request)),
  );

  app.delete(
    '/auth/identities/:id',
    {
      ...sensitive,
      schema: {
        tags,
        security,
        summary: 'Unlink a provider (not the last way in)',
        params: s.IdParams,
        response: { 200: Enveloped(s.Done) },
      },
    },
    async (request) => {
      await unlinkIdentity(ctx, callerOf(request), request.params.id, metaOf(request));
      return { ok: true as const };
    },
  );
};
