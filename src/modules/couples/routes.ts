import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf, requireAuth } from '../../platform/http/auth.ts';
import { Enveloped, ErrorResponse } from '../../platform/http/envelope.ts';
import { idempotentAnswerOf } from '../../platform/http/idempotency.ts';
import { CoupleUpdate, CoupleView, CreatedInvite, InviteCodeParams, InviteView } from './schemas.ts';
import * as service from './service.ts';

const tags = ['couples'];
const security = [{ bearerAuth: [] }];
const errors = { '4xx': ErrorResponse };

export const couplesRoutes: FastifyPluginAsyncTypebox<{ ctx: service.CouplesContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', requireAuth);

  app.post(
    '/couples/invites',
    {
      config: { idempotent: 'in-transaction' },
      schema: {
        tags,
        security,
        summary: 'Create an invite for your partner (valid 7 days; replaces your previous one)',
        response: { 201: Enveloped(CreatedInvite), ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return service.createInvite(ctx, callerOf(request).id, idempotentAnswerOf(request));
    },
  );

  app.get(
    '/couples/invites/:code',
    {
      schema: {
        tags,
        security,
        summary: 'Who sent this invite, and whether it is still open',
        params: InviteCodeParams,
        response: { 200: Enveloped(InviteView), ...errors },
      },
    },
    async (request) => service.showInvite(ctx, request.params.code),
  );

  app.post(
    '/couples/invites/:code/accept',
    {
      schema: {
        tags,
        security,
        summary: 'Accept an invite: you and the inviter become a couple',
        params: InviteCodeParams,
        response: { 200: Enveloped(CoupleView), ...errors },
      },
    },
    async (request) => service.acceptInvite(ctx, callerOf(request).id, request.params.code),
  );

  app.post(
    '/couples/invites/:code/decline',
    {
      schema: {
        tags,
        security,
        summary: 'Decline an invite',
        params: InviteCodeParams,
        response: { 200: Enveloped(InviteView), ...errors },
      },
    },
    async (request) => service.declineInvite(ctx, callerOf(request).id, request.params.code),
  );

  app.delete(
    '/couples/invites/:code',
    {
      schema: {
        tags,
        security,
        summary: 'Revoke your invite',
        params: InviteCodeParams,
        response: { 200: Enveloped(InviteView), ...errors },
      },
    },
    async (request) => service.revokeInvite(ctx, callerOf(request).id, request.params.code),
  );

  app.get(
    '/couples/me',
    {
      schema: {
        tags,
        security,
        summary: 'Your couple (or, for 30 days after an unlink, the closed one, read-only)',
        response: { 200: Enveloped(CoupleView), ...errors },
      },
    },
    async (request) => service.myCouple(ctx, callerOf(request).id),
  );

  app.patch(
    '/couples/me',
    {
      schema: {
        tags,
        security,
        summary: 'Change the relationship start, anniversary or your nickname for your partner',
        body: CoupleUpdate,
        response: { 200: Enveloped(CoupleView), ...errors },
      },
    },
    async (request) => service.updateCouple(ctx, callerOf(request).id, request.body),
  );

  app.delete(
    '/couples/me',
    {
      schema: {
        tags,
        security,
        summary: 'Unlink: the couple closes; both can read and export its history for 30 days',
        response: { 200: Enveloped(CoupleView), ...errors },
      },
    },
    async (request) => service.unlink(ctx, callerOf(request).id),
  );
};
