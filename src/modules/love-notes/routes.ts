import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { ErrorEnvelopeSchema } from '../../platform/http/envelope.ts';
import { idempotentAnswerOf } from '../../platform/http/idempotency.ts';
import { listCacheTags } from './cache.ts';
import type { NotesContext } from './context.ts';
import { requireAuth } from './dependencies.ts';
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

// The schemas validated these before the handler runs; the casts only name the types.
const user = (request: FastifyRequest) => request.user as AuthUser;
const id = (request: FastifyRequest) => (request.params as { id: string }).id;
const body = <T>(request: FastifyRequest) => request.body as T;
const query = <T>(request: FastifyRequest) => request.query as T;
const errors = { '4xx': ErrorEnvelopeSchema };

/** REST routes under /v1/love-notes; handlers only hand over to the services. */
export async function loveNotesRoutes(app: FastifyInstance, { ctx }: { ctx: NotesContext }) {
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
        user(request),
        body<Static<typeof SendNoteBody>>(request),
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
        // Per user; every write that changes a list clears both partners' entries (cache.ts).
        cache: { scope: 'private', ttlSeconds: 60, tags: (request) => listCacheTags(user(request).id) },
      },
      schema: {
        tags,
        summary: 'Inbox, sent or scheduled notes, newest first',
        querystring: ListNotesQuery,
        response: { 200: Responses.notes, ...errors },
      },
    },
    async (request) => listNotes(ctx, user(request), query<Static<typeof ListNotesQuery>>(request)),
  );

  app.get(
    '/love-notes/templates',
    {
      schema: {
        tags,
        summary: 'The shipped catalogue and my own templates',
        querystring: TemplateQuery,
        response: { 200: Responses.templates, ...errors },
      },
    },
    async (request) =>
      listTemplates(ctx, user(request), query<Static<typeof TemplateQuery>>(request).category),
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
        .send(
          await createTemplate(
            ctx,
            user(request),
            body<Static<typeof CreateTemplateBody>>(request),
            idempotentAnswerOf(request),
          ),
        ),
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
    async (request) =>
      updateTemplate(ctx, user(request), id(request), body<Static<typeof PatchTemplateBody>>(request)),
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
    async (request) => deleteTemplate(ctx, user(request), id(request)),
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
    async (request) => ({ readReceipts: await readReceiptsOn(ctx, user(request).id) }),
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
    async (request) =>
      setReadReceipts(ctx, user(request).id, body<Static<typeof Settings>>(request).readReceipts),
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
    async (request) => getNote(ctx, user(request), id(request)),
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
    async (request) =>
      updateScheduled(ctx, user(request), id(request), body<Static<typeof PatchNoteBody>>(request)),
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
    async (request) => removeNote(ctx, user(request), id(request)),
  );
  app.post(
    '/love-notes/:id/pause',
    {
      schema: { ...byId, summary: 'Pause a recurring series', response: { 200: Responses.note, ...errors } },
    },
    async (request) => setPaused(ctx, user(request), id(request), true),
  );
  app.post(
    '/love-notes/:id/resume',
    {
      schema: { ...byId, summary: 'Resume a recurring series', response: { 200: Responses.note, ...errors } },
    },
    async (request) => setPaused(ctx, user(request), id(request), false),
  );
  app.post(
    '/love-notes/:id/read',
    {
      schema: { ...byId, summary: 'Mark a received note read', response: { 200: Responses.note, ...errors } },
    },
    async (request) => markRead(ctx, user(request), id(request)),
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
    async (request) => react(ctx, user(request), id(request), body<{ emoji: string }>(request).emoji, false),
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
    async (request) =>
      react(ctx, user(request), id(request), (request.params as { emoji: string }).emoji, true),
  );
  app.post(
    '/love-notes/:id/favorite',
    { schema: { ...byId, summary: 'Mark as favorite', response: { 200: Responses.note, ...errors } } },
    async (request) => setFavorite(ctx, user(request), id(request), true),
  );
  app.delete(
    '/love-notes/:id/favorite',
    { schema: { ...byId, summary: 'Unmark as favorite', response: { 200: Responses.note, ...errors } } },
    async (request) => setFavorite(ctx, user(request), id(request), false),
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
    async (request) => deliveries(ctx, user(request), id(request)),
  );
}
