import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf, requireRole } from '../../platform/http/auth.ts';
import { ErrorResponse, NoContent } from '../../platform/http/envelope.ts';
import { idempotentAnswerOf } from '../../platform/http/idempotency.ts';
import { createFlag, deleteFlag, flagHistory, getFlag, listFlags, patchFlag, putFlag } from './admin.ts';
import type { FlagsContext } from './context.ts';
import {
  CreateFlagBody,
  FlagKeyParams,
  ListQuery,
  PatchFlagBody,
  PutFlagBody,
  Responses,
} from './schemas.ts';

const tags = ['admin'];
const errors = { '4xx': ErrorResponse };

/** /v1/admin/feature-flags: mounted behind requireRole('admin') by the app, checked here too. */
export const flagAdminRoutes: FastifyPluginAsyncTypebox<{ ctx: FlagsContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireRole('admin'));

  app.get(
    '/admin/feature-flags',
    {
      config: { paginated: true },
      schema: {
        tags,
        operationId: 'listFeatureFlags',
        summary: 'Every feature flag definition, by key (admin)',
        querystring: ListQuery,
        response: { 200: Responses.flags, ...errors },
      },
    },
    async (request) => listFlags(ctx, request.query),
  );

  app.post(
    '/admin/feature-flags',
    {
      config: { idempotent: 'in-transaction' },
      schema: {
        tags,
        operationId: 'createFeatureFlag',
        summary: 'Create a feature flag; 409 when the key exists (admin, audited)',
        body: CreateFlagBody,
        response: { 201: Responses.flag, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createFlag(ctx, callerOf(request).id, request.body, idempotentAnswerOf(request))),
  );

  app.get(
    '/admin/feature-flags/:key',
    {
      schema: {
        tags,
        operationId: 'getFeatureFlag',
        summary: 'One feature flag definition (admin)',
        params: FlagKeyParams,
        response: { 200: Responses.flag, ...errors },
      },
    },
    async (request) => getFlag(ctx, request.params.key),
  );

  app.put(
    '/admin/feature-flags/:key',
    {
      schema: {
        tags,
        operationId: 'putFeatureFlag',
        summary:
          'Create the flag (201) or replace its whole definition (200); omitted fields take their defaults (admin, audited)',
        params: FlagKeyParams,
        body: PutFlagBody,
        response: { 200: Responses.flag, 201: Responses.flag, ...errors },
      },
    },
    async (request, reply) => {
      const { created, flag } = await putFlag(ctx, callerOf(request).id, request.params.key, request.body);
      return reply.status(created ? 201 : 200).send(flag);
    },
  );

  app.patch(
    '/admin/feature-flags/:key',
    {
      schema: {
        tags,
        operationId: 'updateFeatureFlag',
        summary: 'Change some fields of a flag, e.g. `{"enabled": false}` to kill it (admin, audited)',
        params: FlagKeyParams,
        body: PatchFlagBody,
        response: { 200: Responses.flag, ...errors },
      },
    },
    async (request) => patchFlag(ctx, callerOf(request).id, request.params.key, request.body),
  );

  app.delete(
    '/admin/feature-flags/:key',
    {
      schema: {
        tags,
        operationId: 'deleteFeatureFlag',
        summary: "Delete a flag: its evaluations answer the caller's fallback from then on (admin, audited)",
        params: FlagKeyParams,
        response: { 204: NoContent, ...errors },
      },
    },
    async (request, reply) => {
      await deleteFlag(ctx, callerOf(request).id, request.params.key);
      reply.status(204);
      return undefined;
    },
  );

  app.get(
    '/admin/feature-flags/:key/history',
    {
      config: { paginated: true },
      schema: {
        tags,
        operationId: 'listFeatureFlagHistory',
        summary: 'Who changed a flag and how, newest first; kept after the flag is deleted (admin)',
        params: FlagKeyParams,
        querystring: ListQuery,
        response: { 200: Responses.history, ...errors },
      },
    },
    async (request) => flagHistory(ctx, request.params.key, request.query),
  );
};
