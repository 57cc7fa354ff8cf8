import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { callerOf } from '../http/auth.ts';
import { guard } from '../http/auth-context.ts';
import { Enveloped, EnvelopedPage, ErrorResponse } from '../http/envelope.ts';
import { forbidden } from '../http/errors.ts';
import { PaginationQuery } from '../http/pagination.ts';
import type { Platform } from '../platform.ts';

const DeadLetterSchema = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Dead letter id' }),
  group: Type.String({ description: 'Consumer group that gave up on the event' }),
  eventId: Type.String({ format: 'uuid' }),
  eventType: Type.String({ description: 'e.g. love-note.sent' }),
  event: Type.Object({}, { additionalProperties: true, description: 'The full event envelope' }),
  attempts: Type.Integer({ description: 'Attempts made before giving up' }),
  lastError: Type.String({ description: 'The last failure, as the handler threw it' }),
  failedAt: Type.String({ format: 'date-time' }),
});

const IdParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'Dead letter id' }) });
const ListQuery = Type.Intersect([
  PaginationQuery,
  Type.Object({
    group: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Only this consumer group' }),
    ),
  }),
]);

const errors = { 401: ErrorResponse, 403: ErrorResponse };

const requireAdmin = guard(
  async (request: FastifyRequest): Promise<void> => {
    if (callerOf(request).role !== 'admin') throw forbidden('Only admins may manage dead letters');
  },
  { role: 'admin' },
);

/** The dead-letter store, for admins: look, replay once, or discard. */
export const deadLetterRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, opts) => {
  const { deadLetters } = opts.platform.bus;
  app.addHook('preHandler', requireAdmin);
  const common = { tags: ['admin'], security: [{ bearerAuth: [] }] };

  app.get(
    '/admin/dead-letters',
    {
      config: { paginated: true },
      schema: {
        ...common,
        summary: 'List dead letters, newest first',
        querystring: ListQuery,
        response: { 200: EnvelopedPage(DeadLetterSchema), ...errors },
      },
    },
    async (request) => {
      const { limit = 20, cursor, group } = request.query;
      return deadLetters.list({ limit, cursor, group });
    },
  );

  app.post(
    '/admin/dead-letters/:id/replay',
    {
      schema: {
        ...common,
        summary: 'Give the event to its group once more and remove the dead letter',
        params: IdParams,
        response: { 200: Enveloped(DeadLetterSchema), ...errors, 404: ErrorResponse },
      },
    },
    async (request) => deadLetters.replay(request.params.id),
  );

  app.delete(
    '/admin/dead-letters/:id',
    {
      schema: {
        ...common,
        summary: 'Discard a dead letter without replaying it',
        params: IdParams,
        response: { 200: Enveloped(DeadLetterSchema), ...errors, 404: ErrorResponse },
      },
    },
    async (request) => deadLetters.discard(request.params.id),
  );
};
