import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerOf, requireAuth } from '../../platform/http/auth.ts';
import { Enveloped } from '../../platform/http/envelope.ts';
import type { AuthContext } from './context.ts';
import { metaOf, requireLiveSession } from './hooks.ts';
import * as mfa from './mfa.ts';
import * as s from './schemas.ts';
import { assertRecentAuthentication, completeLogin } from './service.ts';
import type { AuthResult } from './sessions.ts';
import type { deliver } from './transport.ts';

const tags = ['auth'];
const security = [{ bearerAuth: [] }];
const sensitive = { onRequest: [requireAuth, requireLiveSession] };

type Deliver = (
  request: FastifyRequest,
  reply: FastifyReply,
  result: AuthResult,
) => ReturnType<typeof deliver>;

/** TOTP MFA routes; changing MFA needs a password or MFA proof from the last 10 minutes. */
export const mfaRoutes: FastifyPluginAsyncTypebox<{ ctx: AuthContext; tokens: Deliver }> = async (
  app,
  opts,
) => {
  const { ctx, tokens } = opts;

  app.post(
    '/auth/mfa/challenge',
    {
      schema: {
        tags,
        summary: 'Second login step: a TOTP code or a recovery code (5 tries per challenge)',
        body: s.MfaChallengeBody,
        response: { 200: Enveloped(s.Tokens) },
      },
    },
    async (request, reply) => {
      const meta = metaOf(request);
      const account = await mfa.answerMfaChallenge(ctx, request.body, meta);
      return tokens(request, reply, await completeLogin(ctx, account, meta, 'password+totp'));
    },
  );

  app.post(
    '/auth/mfa/totp/setup',
    {
      ...sensitive,
      schema: {
        tags,
        security,
        summary: 'Start TOTP: secret, otpauth URL and QR code',
        response: { 200: Enveloped(s.TotpSetup) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await assertRecentAuthentication(ctx, caller);
      return mfa.setupTotp(ctx, caller);
    },
  );

  app.post(
    '/auth/mfa/totp/enable',
    {
      ...sensitive,
      schema: {
        tags,
        security,
        summary: 'Confirm TOTP with a code; returns 10 recovery codes',
        body: s.CodeBody,
        response: { 200: Enveloped(s.RecoveryCodes) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await assertRecentAuthentication(ctx, caller);
      return mfa.enableTotp(ctx, caller, request.body.code, metaOf(request));
    },
  );

  app.post(
    '/auth/mfa/totp/disable',
    {
      ...sensitive,
      schema: {
        tags,
        security,
        summary: 'Turn TOTP off with a code or the password',
        body: s.DisableMfaBody,
        response: { 200: Enveloped(s.Done) },
      },
    },
    async (request) => {
      await mfa.disableTotp(ctx, callerOf(request), request.body, metaOf(request));
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/mfa/recovery-codes',
    {
      ...sensitive,
      schema: {
        tags,
        security,
        summary: 'Replace the recovery codes',
        response: { 200: Enveloped(s.RecoveryCodes) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await assertRecentAuthentication(ctx, caller);
      return mfa.regenerateRecoveryCodes(ctx, caller, metaOf(request));
    },
  );
};
