import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf, requireRole } from '../../platform/http/auth.ts';
import { ErrorResponse } from '../../platform/http/envelope.ts';
import { idempotentAnswerOf } from '../../platform/http/idempotency.ts';
import type { ContentContext } from './context.ts';
import {
  archiveItem,
  createAuthor,
  createItem,
  deleteItem,
  getStaffItem,
  listRevisions,
  listStaffItems,
  publishItem,
  scheduleItem,
  updateItem,
} from './editorial.ts';
import { createShow } from './podcasts.ts';
import {
  AuthorBody,
  CreateItemBody,
  CreateShowBody,
  IdParams,
  Responses,
  ScheduleBody,
  StaffListQuery,
  UpdateItemBody,
} from './schemas.ts';

const tags = ['content-admin'];
const errors = { '4xx': ErrorResponse };

/**
 * The staff API under /v1/admin/content for the `editor` role (admins pass
 * every role check). Not the module's `admin` plugin: that one is mounted
 * behind the admin role only, and editors must reach these.
 */
export const staffRoutes: FastifyPluginAsyncTypebox<{ ctx: ContentContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireRole('editor'));

  app.get(
    '/admin/content',
    {
      // Server-to-server clients (a CMS mirror, a search indexer) read the library with a key.
      config: { paginated: true, apiKeyScope: 'content:read' },
      schema: {
        tags,
        summary: 'Every item in any status, newest first',
        querystring: StaffListQuery,
        response: { 200: Responses.staffItems, ...errors },
      },
    },
    async (request) => listStaffItems(ctx, request.query),
  );
  app.post(
    '/admin/content',
    {
      config: { idempotent: 'in-transaction' },
      schema: {
        tags,
        summary: 'Create a draft (revision 1)',
        body: CreateItemBody,
        response: { 201: Responses.staffItem, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createItem(ctx, callerOf(request), request.body, idempotentAnswerOf(request))),
  );
  app.get(
    '/admin/content/:id',
    {
      config: { apiKeyScope: 'content:read' },
      schema: {
        tags,
        summary: 'One item with its Markdown source',
        params: IdParams,
        response: { 200: Responses.staffItem, ...errors },
      },
    },
    async (request) => getStaffItem(ctx, request.params.id),
  );
  app.patch(
    '/admin/content/:id',
    {
      schema: {
        tags,
        summary: 'Change an item; saves a new revision',
        params: IdParams,
        body: UpdateItemBody,
        response: { 200: Responses.staffItem, ...errors },
      },
    },
    async (request) => updateItem(ctx, callerOf(request), request.params.id, request.body),
  );
  app.delete(
    '/admin/content/:id',
    {
      schema: {
        tags,
        summary: 'Delete an item and its revisions',
        params: IdParams,
        response: { 200: Responses.none, ...errors },
      },
    },
    async (request) => deleteItem(ctx, callerOf(request), request.params.id),
  );
  app.get(
    '/admin/content/:id/revisions',
    {
      schema: {
        tags,
        summary: 'Revision history, newest first',
        params: IdParams,
        response: { 200: Responses.revisions, ...errors },
      },
    },
    async (request) => listRevisions(ctx, request.params.id),
  );
  app.post(
    '/admin/content/:id/schedule',
    {
      schema: {
        tags,
        summary: 'Publish at a future time (a job publishes it once)',
        params: IdParams,
        body: ScheduleBody,
        response: { 200: Responses.staffItem, ...errors },
      },
    },
    async (request) => scheduleItem(ctx, callerOf(request), request.params.id, request.body.publishAt),
  );
  app.post(
    '/admin/content/:id/publish',
    {
      schema: {
        tags,
        summary: 'Publish now',
        params: IdParams,
        response: { 200: Responses.staffItem, ...errors },
      },
    },
    async (request) => publishItem(ctx, callerOf(request), request.params.id),
  );
  app.post(
    '/admin/content/:id/archive',
    {
      schema: {
        tags,
        summary: 'Take an item off the library (kept, with its revisions)',
        params: IdParams,
        response: { 200: Responses.staffItem, ...errors },
      },
    },
    async (request) => archiveItem(ctx, callerOf(request), request.params.id),
  );
  app.post(
    '/admin/content/shows',
    {
      schema: {
        tags,
        summary: 'Create a podcast show (its feed lists its published public episodes)',
        body: CreateShowBody,
        response: { 201: Responses.show, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createShow(ctx, request.body, `${request.protocol}://${request.host}`)),
  );
  app.post(
    '/admin/content/authors',
    {
      schema: {
        tags,
        summary: 'Create an author profile (a byline)',
        body: AuthorBody,
        response: { 201: Responses.author, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await createAuthor(ctx, request.body)),
  );
};
