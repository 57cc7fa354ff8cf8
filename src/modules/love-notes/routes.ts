import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import { callerOf, requireAuth } from '../../platform/http/auth.ts';
import { ErrorEnvelopeSchema } from '../../platform/http/envelope.ts';
import { idempotentAnswerOf } from '../../platform/http/idempotency.ts';
import { listCacheTags, templatesTag } from './cache.ts';
import type { NotesContext } from './context.ts';
import { markRead, react, readReceiptsOn, setFavorite, setReadReceipts } from './interactions.ts';
import { deliveries, getNote, listNotes } from './queries.ts';
import {
  CreateTemplateBody,
  Emoji,
  ListNotesQuery,
  NoteIdParams,
  PatchNoteBody,
  PatchTemplateBody,
  ReactionParams,
  Responses,
  SendNoteBody,
  Settings,
  TemplateIdParams,
  TemplateQuery,
} from './schemas.ts';
import { removeNote, sendNote, setPaused, updateScheduled } from './service.ts';
import { createTemplate, deleteTemplate, listTemplates, updateTemplate } from './templates.ts';

const tags = ['love-notes'];

const errors = { '4xx': ErrorEnvelopeSchema };

/** REST routes under /v1/love-notes; handlers only hand over to the services. */
export const loveNotesRoutes: FastifyPluginAsyncTypebox<{ ctx: NotesContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireAuth);

  app.post(
    '/love-notes',
    {
      config: { idempotent: 'in-transaction' },
      schema: {
        tags,
        summary: 'Send a note now (201) or schedule it, once or recurring (202)',
        body: SendNoteBody,
        response: { 201: Responses.note, 202: Responses.note, ...errors },
      },
    },
    async (request, reply) => {
      const { note, scheduled } = await sendNote(
        ctx,
        callerOf(request),
        request.body,
        idempotentAnswerOf(request),
      );
      return reply.status(scheduled ? 202 : 201).send(note);
    },
  );
  app.get(
    '/love-notes',
    {
      config: {
        paginated: true,
        // Per user and box; a write clears the recipient's inbox and the sender's sent box (cache.ts).
        cache: {
          scope: 'private',
          ttlSeconds: 60,
          tags: (request) =>
            listCacheTags(callerOf(request).id, (request.query as Static<typeof ListNotesQuery>).box),
        },
      },
      schema: {
        tags,
        summary: 'Inbox, sent or scheduled notes, newest first',
        querystring: ListNotesQuery,
        response: { 200: Responses.notes, ...errors },
      },
    },
    async (request) => listNotes(ctx, callerOf(request), request.query),
  );

  app.get(
    '/love-notes/templates',
    {
      // Per user; creating, editing or deleting a template clears it (cache.ts).
      config: {
        cache: { scope: 'private', ttlSeconds: 60, tags: (request) => [templatesTag(callerOf(request).id)] },
      },
      schema: {
        tags,
        summary: 'The shipped catalogue and my own templates',
        querystring: TemplateQuery,
        response: { 200: Responses.templates, ...errors },
      },
    },
    async (request) => listTemplates(ctx, callerOf(request), request.query.category),
  );
  app.post(
    '/love-notes/templates',
    {
      config: { idempotent: 'in-transaction' },
      schema: {
        tags,
        summary: 'Create a personal template',
        body: CreateTemplateBody,
        response: { 201: Responses.template, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createTemplate(ctx, callerOf(request), request.body, idempotentAnswerOf(request))),
  );
  app.patch(
    '/love-notes/templates/:id',
    {
      schema: {
        tags,
        summary: 'Edit a personal template',
        params: TemplateIdParams,
        body: PatchTemplateBody,
        response: { 200: Responses.template, ...errors },
      },
    },
    async (request) => updateTemplate(ctx, callerOf(request), request.params.id, request.body),
  );
  app.delete(
    '/love-notes/templates/:id',
    {
      schema: {
        tags,
        summary: 'Delete a personal template',
        params: TemplateIdParams,
        response: { 200: Responses.none, ...errors },
      },
    },
    async (request) => deleteTemplate(ctx, callerOf(request), request.params.id),
  );

  app.get(
    '/love-notes/settings',
    {
      schema: {
        tags,
        summary: 'My love-note settings (read receipts)',
        response: { 200: Responses.settings, ...errors },
      },
    },
    async (request) => ({ readReceipts: await readReceiptsOn(ctx, callerOf(request).id) }),
  );
  app.put(
    '/love-notes/settings',
    {
      schema: {
        tags,
        summary: 'Turn read receipts on or off',
        body: Settings,
        response: { 200: Responses.settings, ...errors },
      },
    },
    async (request) => setReadReceipts(ctx, callerOf(request).id, request.body.readReceipts),
  );

  const byId = { tags, params: NoteIdParams };
  app.get(
    '/love-notes/:id',
    {
      schema: {
        ...byId,
        summary: 'One note I sent or received',
        response: { 200: Responses.note, ...errors },
      },
    },
    async (request) => getNote(ctx, callerOf(request), request.params.id),
  );
  app.patch(
    '/love-notes/:id',
    {
      schema: {
        ...byId,
        summary: 'Edit a note that is still scheduled',
        body: PatchNoteBody,
        response: { 200: Responses.note, ...errors },
      },
    },
    async (request) => updateScheduled(ctx, callerOf(request), request.params.id, request.body),
  );
  app.delete(
    '/love-notes/:id',
    {
      schema: {
        ...byId,
        summary: 'Sender: cancel or unsend; recipient: hide',
        response: { 200: Responses.none, ...errors },
      },
    },
    async (request) => removeNote(ctx, callerOf(request), request.params.id),
  );
  app.post(
    '/love-notes/:id/pause',
    {
      schema: { ...byId, summary: 'Pause a recurring series', response: { 200: Responses.note, ...errors } },
    },
    async (request) => setPaused(ctx, callerOf(request), request.params.id, true),
  );
  app.post(
    '/love-notes/:id/resume',
    {
      schema: { ...byId, summary: 'Resume a recurring series', response: { 200: Responses.note, ...errors } },
    },
    async (request) => setPaused(ctx, callerOf(request), request.params.id, false),
  );
  app.post(
    '/love-notes/:id/read',
    {
      schema: { ...byId, summary: 'Mark a received note read', response: { 200: Responses.note, ...errors } },
    },
    async (request) => markRead(ctx, callerOf(request), request.params.id),
  );
  app.post(
    '/love-notes/:id/reactions',
    {
      schema: {
        ...byId,
        summary: 'React with an emoji',
        body: Type.Object({ emoji: Emoji }, { additionalProperties: false }),
        response: { 200: Responses.note, ...errors },
      },
    },
    async (request) => react(ctx, callerOf(request), request.params.id, request.body.emoji, false),
  );
  app.delete(
    '/love-notes/:id/reactions/:emoji',
    {
      schema: {
        tags,
        params: ReactionParams,
        summary: 'Take back a reaction',
        response: { 200: Responses.note, ...errors },
      },
    },
    async (request) => react(ctx, callerOf(request), request.params.id, request.params.emoji, true),
  );
  app.post(
    '/love-notes/:id/favorite',
    { schema: { ...byId, summary: 'Mark as favorite', response: { 200: Responses.note, ...errors } } },
    async (request) => setFavorite(ctx, callerOf(request), request.params.id, true),
  );
  app.delete(
    '/love-notes/:id/favorite',
    { schema: { ...byId, summary: 'Unmark as favorite', response: { 200: Responses.note, ...errors } } },
    async (request) => setFavorite(ctx, callerOf(request), request.params.id, false),
  );
  app.get(
    '/love-notes/:id/deliveries',
    {
      schema: {
        ...byId,
        summary: "Status timeline queued → sent → delivered → read, then each notification channel's outcome",
        response: { 200: Responses.deliveries, ...errors },
      },
    },
    async (request) => deliveries(ctx, callerOf(request), request.params.id),
  );
};
