import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf, requireAuth } from '../../platform/http/auth.ts';
import { ErrorResponse, NoContent } from '../../platform/http/envelope.ts';
import { prepareMessage } from './chat.ts';
import type { CoachContext } from './context.ts';
import { clearMemory, memoryOf, setRememberTopics } from './memory.ts';
import {
  ConversationParams,
  CreateConversationBody,
  DateIdeasBody,
  ListQuery,
  LoveNoteBody,
  MemoryPatch,
  ReplyStream,
  Responses,
  SendMessageBody,
  StartersBody,
} from './schemas.ts';
import * as service from './service.ts';
import { replySse } from './sse.ts';
import { conversationStarters, dateIdeas, loveNoteDrafts } from './suggestions.ts';

const tags = ['coach'];
/** The routes that talk to the model say how they answer while the coach is switched off (gate.ts). */
const SWITCHED_OFF =
  'Answers 503 `SERVICE_UNAVAILABLE` (Retry-After: 300) while the coach is switched off for you by the `coach` feature flag.';
const errors = { '4xx': ErrorResponse };

/** REST routes under /v1/coach; handlers hand over to the services. */
export const coachRoutes: FastifyPluginAsyncTypebox<{ ctx: CoachContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireAuth);

  app.post(
    '/coach/conversations',
    {
      schema: {
        tags,
        operationId: 'createCoachConversation',
        description: SWITCHED_OFF,
        summary: 'Start a conversation with the AI coach (opens with the AI disclosure)',
        body: CreateConversationBody,
        response: { 201: Responses.created, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return service.createConversation(ctx, callerOf(request).id, request.body);
    },
  );

  app.get(
    '/coach/conversations',
    {
      config: { paginated: true },
      schema: {
        tags,
        operationId: 'listCoachConversations',
        summary: 'Your conversations and those your partner shares with you, newest first',
        querystring: ListQuery,
        response: { 200: Responses.conversations, ...errors },
      },
    },
    async (request) => service.listConversations(ctx, callerOf(request).id, request.query),
  );

  app.get(
    '/coach/conversations/:id/messages',
    {
      config: { paginated: true },
      schema: {
        tags,
        operationId: 'listCoachMessages',
        summary: 'Messages of a conversation, newest first',
        params: ConversationParams,
        querystring: ListQuery,
        response: { 200: Responses.messages, ...errors },
      },
    },
    async (request) => service.listMessages(ctx, callerOf(request).id, request.params.id, request.query),
  );

  app.delete(
    '/coach/conversations/:id',
    {
      schema: {
        tags,
        operationId: 'deleteCoachConversation',
        summary: 'Delete a conversation and its messages',
        params: ConversationParams,
        response: { 204: NoContent, ...errors },
      },
    },
    async (request, reply) => {
      await service.deleteConversation(ctx, callerOf(request).id, request.params.id);
      reply.status(204);
      return undefined;
    },
  );

  app.post(
    '/coach/conversations/:id/messages',
    {
      // A stream lasts as long as the reply; the coach's own timeouts bound the provider.
      config: { deadline: false, concurrencyLimit: false },
      schema: {
        tags,
        operationId: 'sendCoachMessage',
        description: SWITCHED_OFF,
        summary:
          'Send a message; the reply streams as server-sent events with `Accept: text/event-stream`, else comes whole',
        params: ConversationParams,
        body: SendMessageBody,
        response: {
          200: {
            description: 'The reply: whole (JSON envelope) or streamed (server-sent events)',
            content: {
              'application/json': { schema: Responses.reply },
              'text/event-stream': { schema: ReplyStream },
            },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const prepared = await prepareMessage(
        ctx,
        callerOf(request).id,
        request.params.id,
        request.body.content,
      );
      if (String(request.headers.accept ?? '').includes('text/event-stream')) {
        return replySse(request, reply, prepared);
      }
      const controller = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) controller.abort(new Error('the client went away'));
      });
      let text = '';
      const answer = await prepared.run({
        signal: controller.signal,
        delta: (d) => {
          text += d;
        },
        onError: (error) => request.log.warn({ err: error }, 'coach reply interrupted'),
      });
      return { ...answer, content: text };
    },
  );

  app.get(
    '/coach/memory',
    {
      schema: {
        tags,
        operationId: 'getCoachMemory',
        summary: 'What the coach keeps in mind about you and your relationship',
        response: { 200: Responses.memory, ...errors },
      },
    },
    async (request) => memoryOf(ctx, callerOf(request).id),
  );

  app.patch(
    '/coach/memory',
    {
      schema: {
        tags,
        operationId: 'updateCoachMemory',
        summary: 'Allow or stop remembering the topics of your messages',
        body: MemoryPatch,
        response: { 200: Responses.memory, ...errors },
      },
    },
    async (request) => setRememberTopics(ctx, callerOf(request).id, request.body.rememberTopics),
  );

  app.delete(
    '/coach/memory',
    {
      schema: {
        tags,
        operationId: 'clearCoachMemory',
        summary: 'Forget the remembered topics',
        response: { 204: NoContent, ...errors },
      },
    },
    async (request, reply) => {
      await clearMemory(ctx, callerOf(request).id);
      reply.status(204);
      return undefined;
    },
  );

  app.post(
    '/coach/suggestions/love-note',
    {
      schema: {
        tags,
        operationId: 'suggestLoveNotes',
        description: SWITCHED_OFF,
        summary: 'Three love note drafts you can send through love notes',
        body: LoveNoteBody,
        response: { 200: Responses.suggestions, ...errors },
      },
    },
    async (request) => loveNoteDrafts(ctx, callerOf(request).id, request.body),
  );

  app.post(
    '/coach/suggestions/date-ideas',
    {
      schema: {
        tags,
        operationId: 'suggestDateIdeas',
        description: SWITCHED_OFF,
        summary: 'Date ideas for a budget and setting, optionally near a city',
        body: DateIdeasBody,
        response: { 200: Responses.suggestions, ...errors },
      },
    },
    async (request) => dateIdeas(ctx, callerOf(request).id, request.body),
  );

  app.post(
    '/coach/suggestions/conversation-starters',
    {
      schema: {
        tags,
        operationId: 'suggestConversationStarters',
        description: SWITCHED_OFF,
        summary: 'Questions to start a good conversation with your partner',
        body: StartersBody,
        response: { 200: Responses.suggestions, ...errors },
      },
    },
    async (request) => conversationStarters(ctx, callerOf(request).id, request.body),
  );
};
