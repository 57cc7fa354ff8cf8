import type { FastifyInstance } from 'fastify';
import { Enveloped } from '../../platform/http/envelope.ts';
import { idempotentAnswerOf } from '../../platform/http/idempotency.ts';
import { requireAuth } from '../auth/index.ts';
import { caller } from './guard.ts';
import { CoupleUpdate, CoupleView, CreatedInvite, InviteCodeParams, InviteView } from './schemas.ts';
import * as service from './service.ts';

const tags = ['couples'];
const security = [{ bearerAuth: [] }];
const errors = { '4xx': { $ref: 'ErrorEnvelope#' } };
const code = (request: { params: unknown }) => (request.params as { code: string }).code;

export async function couplesRoutes(app: FastifyInstance, { ctx }: { ctx: service.CouplesContext }) {
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
      return service.createInvite(ctx, caller(request).id, idempotentAnswerOf(request));
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
    async (request) => service.showInvite(ctx, code(request)),
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
    async (request) => service.acceptInvite(ctx, caller(request).id, code(request)),
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
    async (request) => service.declineInvite(ctx, caller(request).id, code(request)),
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
    async (request) => service.revokeInvite(ctx, caller(request).id, code(request)),
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
    async (request) => service.myCouple(ctx, caller(request).id),
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
    async (request) => service.updateCouple(ctx, caller(request).id, request.body as CoupleUpdate),
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
    async (request) => service.unlink(ctx, caller(request).id),
  );
}
