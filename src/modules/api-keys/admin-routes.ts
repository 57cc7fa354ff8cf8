import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf, requireRole } from '../../platform/http/auth.ts';
import { ErrorResponse } from '../../platform/http/envelope.ts';
import type { ApiKeysContext } from './context.ts';
import { CreateKeyBody, IdParams, ListQuery, Responses, RotateBody } from './schemas.ts';
import * as service from './service.ts';

const tags = ['admin', 'api-keys'];
const errors = { '4xx': ErrorResponse };

/**
 * /v1/admin/api-keys: admins make, rotate and revoke server-to-server keys.
 * The creating POSTs take no Idempotency-Key on purpose: a stored answer
 * would keep the secret in clear, and the secret must exist only in the one
 * answer (a lost answer means revoking that key and making another).
 */
export const apiKeysAdminRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiKeysContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', requireRole('admin'));

  app.get(
    '/admin/api-keys/scopes',
    {
      schema: {
        tags,
        summary: 'The scopes a key can hold: those some route accepts, with the routes',
        response: { 200: Responses.scopes, ...errors },
      },
    },
    async () =>
      [...ctx.scopes.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([scope, routes]) => ({ scope, routes })),
  );

  app.get(
    '/admin/api-keys',
    {
      config: { paginated: true },
      schema: {
        tags,
        summary: 'API keys, newest first (never their secrets)',
        querystring: ListQuery,
        response: { 200: Responses.keys, ...errors },
      },
    },
    async (request) => service.listKeys(ctx, request.query),
  );

  app.post(
    '/admin/api-keys',
    {
      schema: {
        tags,
        summary: 'Make a key; the answer shows its secret this once',
        body: CreateKeyBody,
        response: { 201: Responses.created, ...errors },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return reply.status(201).send(await service.createKey(ctx, callerOf(request).id, request.body));
    },
  );

  app.get(
    '/admin/api-keys/:id',
    {
      schema: {
        tags,
        summary: 'One key (never its secret)',
        params: IdParams,
        response: { 200: Responses.key, ...errors },
      },
    },
    async (request) => service.getKey(ctx, request.params.id),
  );

  app.post(
    '/admin/api-keys/:id/rotate',
    {
      // Clients may POST without a body: the default grace period.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: 'Replace a key: a new secret (shown once); the old key works for the grace period',
        params: IdParams,
        body: RotateBody,
        response: { 201: Responses.created, ...errors },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return reply
        .status(201)
        .send(await service.rotateKey(ctx, callerOf(request).id, request.params.id, request.body));
    },
  );

  app.delete(
    '/admin/api-keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke a key: it stops working at once (kept, revoked, for the record)',
        params: IdParams,
        response: { 200: Responses.key, ...errors },
      },
    },
    async (request) => service.revokeKey(ctx, request.params.id),
  );
};
