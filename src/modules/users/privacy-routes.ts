import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf, requireAuth } from '../../platform/http/auth.ts';
import { Enveloped, ErrorResponse } from '../../platform/http/envelope.ts';
import { idempotentAnswerOf } from '../../platform/http/idempotency.ts';
import { getConsents, giveConsent } from './consents.ts';
import type { UsersContext } from './context.ts';
import { requestDeletion } from './erasure.ts';
import { getExport, startExport } from './export.ts';
import { Consent, ConsentInput, Consents, DeletionInput, ExportJob, ExportParams } from './schemas.ts';

const tags = ['privacy'];
const security = [{ bearerAuth: [] }];
const errors = { '4xx': ErrorResponse, '5xx': ErrorResponse };

/** Consents, data export and account deletion (GDPR). */
export const privacyRoutes: FastifyPluginAsyncTypebox<{ ctx: UsersContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireAuth);

  app.get(
    '/users/me/consents',
    {
      schema: {
        tags,
        security,
        summary: 'Your consents: current state and full history',
        response: { 200: Enveloped(Consents), ...errors },
      },
    },
    async (request) => getConsents(ctx, callerOf(request).id),
  );

  app.post(
    '/users/me/consents',
    {
      config: { idempotent: 'in-transaction' },
      schema: {
        tags,
        security,
        summary: 'Record a consent decision (kept with time and IP)',
        body: ConsentInput,
        response: { 201: Enveloped(Consent), ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return giveConsent(
        ctx,
        callerOf(request).id,
        request.body,
        { ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null },
        idempotentAnswerOf(request),
      );
    },
  );

  app.post(
    '/users/me/export',
    {
      schema: {
        tags,
        security,
        summary: 'Start an export of your data (one in flight at a time)',
        response: { 202: Enveloped(ExportJob), ...errors },
      },
    },
    async (request, reply) => {
      reply.status(202);
      return startExport(ctx, callerOf(request).id);
    },
  );

  app.get(
    '/users/me/export/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Progress of an export and, when ready, its download link (24 h)',
        params: ExportParams,
        response: { 200: Enveloped(ExportJob), ...errors },
      },
    },
    async (request) => getExport(ctx, callerOf(request).id, request.params.id),
  );

  app.delete(
    '/users/me',
    {
      schema: {
        tags,
        security,
        summary: 'Delete your account: deactivated now, erased everywhere shortly after',
        body: DeletionInput,
        response: {
          202: Enveloped(
            Type.Object({ status: Type.Literal('scheduled'), erasureId: Type.String({ format: 'uuid' }) }),
          ),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      reply.status(202);
      return requestDeletion(ctx, callerOf(request).id, request.body);
    },
  );
};
