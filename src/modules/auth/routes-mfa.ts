import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Enveloped } from '../../platform/http/envelope.ts';
import type { AuthContext } from './context.ts';
import { metaOf, requireAuth, requireLiveSession } from './hooks.ts';
import * as mfa from './mfa.ts';
import * as s from './schemas.ts';
import { assertRecentAuthentication, completeLogin } from './service.ts';
import type { AuthResult } from './sessions.ts';

const tags = ['auth'];
const security = [{ bearerAuth: [] }];
const sensitive = { onRequest: [requireAuth, requireLiveSession] };

type Deliver = (request: FastifyRequest, reply: FastifyReply, result: AuthResult) => unknown;

/** TOTP MFA routes; changing MFA needs a password or MFA proof from the last 10 minutes. */
export async function mfaRoutes(app: FastifyInstance, opts: { ctx: AuthContext; tokens: Deliver }) {
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
      const account = await mfa.answerMfaChallenge(ctx, request.body as { mfaToken: string }, meta);
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
      await assertRecentAuthentication(ctx, request.user!);
      return mfa.setupTotp(ctx, request.user!);
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
      await assertRecentAuthentication(ctx, request.user!);
      return mfa.enableTotp(ctx, request.user!, (request.body as { code: string }).code, metaOf(request));
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
      await mfa.disableTotp(
        ctx,
        request.user!,
        request.body as { code?: string; password?: string },
        metaOf(request),
      );
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
      await assertRecentAuthentication(ctx, request.user!);
      return mfa.regenerateRecoveryCodes(ctx, request.user!, metaOf(request));
    },
  );
}
