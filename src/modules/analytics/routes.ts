import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf, requireAuth } from '../../platform/http/auth.ts';
import { ErrorResponse } from '../../platform/http/envelope.ts';
import type { AnalyticsContext } from './context.ts';
import { ingest } from './ingest.ts';
import { BatchInput, EventInput, MAX_BATCH_BYTES, Responses } from './schemas.ts';

const tags = ['analytics'];
const security = [{ bearerAuth: [] }];
const errors = { '4xx': ErrorResponse };

/**
 * POST /v1/analytics/events and /v1/analytics/batch: signed-in callers only
 * (an anonymous event has no consent to check). 202 once the events are committed.
 */
export const analyticsRoutes: FastifyPluginAsyncTypebox<{ ctx: AnalyticsContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireAuth);

  app.post(
    '/analytics/events',
    {
      schema: {
        tags,
        security,
        summary: 'Record one event (202 once stored; a retried id is stored once)',
        body: EventInput,
        response: { 202: Responses.ingest, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await ingest(ctx, callerOf(request), [request.body], request.headers, false)),
  );

  app.post(
    '/analytics/batch',
    {
      bodyLimit: MAX_BATCH_BYTES,
      schema: {
        tags,
        security,
        summary: 'Record up to 1,000 events (1 MB); 202 once stored',
        body: BatchInput,
        response: { 202: Responses.ingest, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await ingest(ctx, callerOf(request), request.body.events, request.headers, true)),
  );
};
