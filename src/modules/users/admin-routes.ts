import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireRole } from '../../platform/http/auth.ts';
import { Enveloped } from '../../platform/http/envelope.ts';
import { listUsers, suspend, unsuspend } from './admin.ts';
import type { UsersContext } from './context.ts';
import { caller } from './guard.ts';
import { AdminQuery, AdminUser, SuspendInput, UserIdParams } from './schemas.ts';

const tags = ['admin'];
const security = [{ bearerAuth: [] }];
const errors = { '4xx': { $ref: 'ErrorEnvelope#' } };

export async function adminRoutes(app: FastifyInstance, { ctx }: { ctx: UsersContext }) {
  app.addHook('onRequest', requireRole('admin'));

  app.get(
    '/admin/users',
    {
      config: { paginated: true },
      schema: {
        tags,
        security,
        summary: 'Find users by handle/name prefix or id (admin)',
        querystring: AdminQuery,
        response: { 200: Enveloped(Type.Array(AdminUser)), ...errors },
      },
    },
    async (request) => listUsers(ctx, request.query as { q?: string }),
  );

  app.post(
    '/admin/users/:id/suspend',
    {
      // The reason is optional, and so is the whole body: a bare POST suspends too.
      preValidation: (request, _reply, done) => {
        request.body ??= {};
        done();
      },
      schema: {
        tags,
        security,
        summary: 'Suspend a user (admin)',
        params: UserIdParams,
        body: SuspendInput,
        response: { 200: Enveloped(AdminUser), ...errors },
      },
    },
    async (request) =>
      suspend(
        ctx,
        caller(request).id,
        (request.params as { id: string }).id,
        (request.body as { reason?: string }).reason ?? null,
      ),
  );

  app.post(
    '/admin/users/:id/unsuspend',
    {
      schema: {
        tags,
        security,
        summary: 'Lift a suspension (admin)',
        params: UserIdParams,
        response: { 200: Enveloped(AdminUser), ...errors },
      },
    },
    async (request) => unsuspend(ctx, caller(request).id, (request.params as { id: string }).id),
  );
}
