import cookie from '@fastify/cookie';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { callerOf, requireAuth, requireRole } from '../../platform/http/auth.ts';
import { Enveloped, EnvelopedPage } from '../../platform/http/envelope.ts';
import { unauthenticated } from '../../platform/http/errors.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import type { Platform } from '../../platform/platform.ts';
import { listAudit } from './audit.ts';
import { authContext } from './context.ts';
import { metaOf, requireLiveSession } from './hooks.ts';
import { mfaRoutes } from './routes-mfa.ts';
import { oauthRoutes } from './routes-oauth.ts';
import * as s from './schemas.ts';
import * as service from './service.ts';
import type { AuthResult } from './sessions.ts';
import { clearSessionCookies, deliver, presentedRefreshToken } from './transport.ts';

const tags = ['auth'];
const security = [{ bearerAuth: [] }];
const sensitive = { onRequest: [requireAuth, requireLiveSession], security };

/** The /v1/auth routes: handlers are one line over the use cases. */
export const authRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, opts) => {
  const ctx = await authContext(opts.platform, app.log);
  if (!app.hasDecorator('parseCookie')) await app.register(cookie);
  const cookieAge = ctx.config.refreshTokenTtlSeconds;
  const tokens = (request: FastifyRequest, reply: FastifyReply, result: AuthResult, byCookie = false) =>
    deliver(request, reply, result, cookieAge, byCookie);

  app.post(
    '/auth/register',
    {
      schema: {
        tags,
        summary: 'Create an account (consents to the current terms) and sign in',
        body: s.RegisterBody,
        response: { 201: Enveloped(s.Tokens) },
      },
    },
    async (request, reply) => {
      const result = await service.register(ctx, request.body, metaOf(request));
      return reply.status(201).send(tokens(request, reply, result));
    },
  );

  app.get(
    '/auth/challenge',
    {
      schema: {
        tags,
        summary: 'The bot check to pass before registering: a proof of work to solve, a CAPTCHA, or none',
        response: { 200: Enveloped(s.Challenge) },
      },
    },
    async (_request, reply) => {
      // Every challenge is new: never from a shared cache.
      reply.header('cache-control', 'no-store');
      return ctx.botCheck.challenge();
    },
  );

  app.post(
    '/auth/login',
    {
      schema: {
        tags,
        summary: 'Sign in with email and password; may ask for an MFA code',
        body: s.LoginBody,
        response: { 200: Enveloped(Type.Union([s.Tokens, s.MfaRequired])) },
      },
    },
    async (request, reply) => {
      const result = await service.login(ctx, request.body, metaOf(request));
      return 'mfaRequired' in result ? result : tokens(request, reply, result);
    },
  );

  app.post(
    '/auth/refresh',
    {
      // Cookie-mode clients may POST without a body; treat that as an empty object.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: 'Trade a refresh token (body, or cookie + X-CSRF-Token) for a new pair',
        body: s.RefreshBody,
        response: { 200: Enveloped(s.Tokens) },
      },
    },
    async (request, reply) => {
      const presented = presentedRefreshToken(request, request.body.refreshToken);
      if (!presented) throw unauthenticated('Send a refresh token');
      const result = await service.refresh(ctx, presented.token, metaOf(request));
      return tokens(request, reply, result, presented.viaCookie);
    },
  );

  app.post(
    '/auth/logout',
    {
      onRequest: requireAuth,
      schema: { tags, security, summary: 'End this session', response: { 200: Enveloped(s.Done) } },
    },
    async (request, reply) => {
      await service.logout(ctx, callerOf(request), metaOf(request));
      clearSessionCookies(reply);
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/logout-all',
    {
      ...sensitive,
      schema: {
        tags,
        security,
        summary: 'End every session of this account',
        response: { 200: Enveloped(s.Done) },
      },
    },
    async (request, reply) => {
      await service.logoutAll(ctx, callerOf(request), metaOf(request));
      clearSessionCookies(reply);
      return { ok: true as const };
    },
  );

  app.get(
    '/auth/sessions',
    {
      ...sensitive,
      config: { paginated: true },
      schema: {
        tags,
        security,
        summary: 'Live sessions (device, IP, times), newest first',
        querystring: PaginationQuery,
        response: { 200: EnvelopedPage(s.Session) },
      },
    },
    async (request) => service.listSessions(ctx, callerOf(request), request.query),
  );

  app.delete(
    '/auth/sessions/:id',
    {
      ...sensitive,
      schema: {
        tags,
        security,
        summary: 'End one session',
        params: s.IdParams,
        response: { 200: Enveloped(s.Done) },
      },
    },
    async (request) => {
      await service.revokeSessionById(ctx, callerOf(request), request.params.id, metaOf(request));
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/email/verify',
    {
      schema: {
        tags,
        summary: 'Confirm the email address with the mailed token',
        body: s.TokenBody,
        response: { 200: Enveloped(s.Done) },
      },
    },
    async (request) => {
      await service.verifyEmail(ctx, request.body.token, metaOf(request));
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/email/resend',
    {
      ...sensitive,
      schema: {
        tags,
        security,
        summary: 'Mail a new verification link',
        response: { 202: Enveloped(s.Accepted) },
      },
    },
    async (request, reply) => {
      await service.resendVerification(ctx, callerOf(request));
      return reply.status(202).send({ message: 'A new verification link is on its way' });
    },
  );

  app.post(
    '/auth/password/forgot',
    {
      schema: {
        tags,
        summary: 'Mail a reset link; the answer is the same whether or not the account exists',
        body: s.ForgotBody,
        response: { 202: Enveloped(s.Accepted) },
      },
    },
    async (request, reply) => {
      service.forgotPassword(ctx, request.body, metaOf(request));
      return reply
        .status(202)
        .send({ message: 'If an account uses this address, a reset link is on its way' });
    },
  );

  app.post(
    '/auth/password/reset',
    {
      schema: {
        tags,
        summary: 'Set a new password with the mailed token; ends every session',
        body: s.ResetBody,
        response: { 200: Enveloped(s.Done) },
      },
    },
    async (request) => {
      await service.resetPassword(ctx, request.body, metaOf(request));
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/password/change',
    {
      ...sensitive,
      schema: {
        tags,
        security,
        summary: 'Change the password; ends the other sessions',
        body: s.ChangePasswordBody,
        response: { 200: Enveloped(s.Done) },
      },
    },
    async (request) => {
      await service.changePassword(ctx, callerOf(request), request.body, metaOf(request));
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/reauthenticate',
    {
      ...sensitive,
      schema: {
        tags,
        security,
        summary: 'Confirm the password before a sensitive change',
        body: s.ReauthenticateBody,
        response: { 200: Enveloped(s.Done) },
      },
    },
    async (request) => {
      await service.reauthenticate(ctx, callerOf(request), request.body, metaOf(request));
      return { ok: true as const };
    },
  );

  app.get(
    '/auth/audit-log',
    {
      onRequest: [requireRole('admin'), requireLiveSession],
      config: { paginated: true },
      schema: { tags, security, summary: 'Auth decisions, newest first (admins)', querystring: s.AuditQuery },
    },
    async (request) => {
      return listAudit(ctx.db, { ...request.query, limit: request.query.limit ?? 20 });
    },
  );

  await app.register(mfaRoutes, { ctx, tokens });
  await app.register(oauthRoutes, { ctx });
};
