import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { guard } from '../http/auth-context.ts';
import { Enveloped } from '../http/envelope.ts';
import { forbidden, unauthenticated } from '../http/errors.ts';
import { PaginationQuery } from '../http/pagination.ts';
import type { Platform } from '../platform.ts';
import type { DeadLetter } from './dead-letters.ts';

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

const errors = { 401: { $ref: 'ErrorEnvelope#' }, 403: { $ref: 'ErrorEnvelope#' } };

const requireAdmin = guard(
  async (request: FastifyRequest): Promise<void> => {
    if (!request.user) throw unauthenticated();
    if (request.user.role !== 'admin') throw forbidden('Only admins may manage dead letters');
  },
  { role: 'admin' },
);

/** The dead-letter store, for admins: look, replay once, or discard. */
export async function deadLetterRoutes(app: FastifyInstance, opts: { platform: Platform }) {
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
        response: { 200: Enveloped(Type.Array(DeadLetterSchema)), ...errors },
      },
    },
    async (request) => {
      const {
        limit = 20,
        cursor,
        group,
      } = request.query as { limit?: number; cursor?: string; group?: string };
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
        response: { 200: Enveloped(DeadLetterSchema), ...errors, 404: { $ref: 'ErrorEnvelope#' } },
      },
    },
    async (request): Promise<DeadLetter> => deadLetters.replay((request.params as { id: string }).id),
  );

  app.delete(
    '/admin/dead-letters/:id',
    {
      schema: {
        ...common,
        summary: 'Discard a dead letter without replaying it',
        params: IdParams,
        response: { 200: Enveloped(DeadLetterSchema), ...errors, 404: { $ref: 'ErrorEnvelope#' } },
      },
    },
    async (request): Promise<DeadLetter> => deadLetters.discard((request.params as { id: string }).id),
  );
}
