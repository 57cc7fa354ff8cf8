import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf, requireRole } from '../../platform/http/auth.ts';
import { Enveloped, EnvelopedPage, ErrorResponse } from '../../platform/http/envelope.ts';
import { listUsers, suspend, unsuspend } from './admin.ts';
import type { UsersContext } from './context.ts';
import { AdminQuery, AdminUser, SuspendInput, UserIdParams } from './schemas.ts';

const tags = ['admin'];
const security = [{ bearerAuth: [] }];
const errors = { '4xx': ErrorResponse };

export const adminRoutes: FastifyPluginAsyncTypebox<{ ctx: UsersContext }> = async (app, { ctx }) => {
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
        response: { 200: EnvelopedPage(AdminUser), ...errors },
      },
    },
    async (request) => listUsers(ctx, request.query),
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
    async (request) => suspend(ctx, callerOf(request).id, request.params.id, request.body.reason ?? null),
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
    async (request) => unsuspend(ctx, callerOf(request).id, request.params.id),
  );
};
