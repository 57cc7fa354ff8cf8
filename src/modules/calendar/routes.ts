import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { capCacheLifetime } from '../../platform/gateway/response-cache/plugin.ts';
import { callerOf, requireAuth } from '../../platform/http/auth.ts';
import { Enveloped, EnvelopedPage, ErrorAnswer, ErrorResponse } from '../../platform/http/envelope.ts';
import { idempotentAnswerOf } from '../../platform/http/idempotency.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import { monthCacheTags } from './cache.ts';
import type { CalendarContext } from './context.ts';
import { countdowns } from './countdowns.ts';
import { feedText, rotateFeed } from './feed.ts';
import { listEvents, monthAndLifetime } from './queries.ts';
import {
  CreateEventBody,
  EventIdParams,
  EventView,
  FeedParams,
  MonthQuery,
  PatchEventBody,
  Responses,
} from './schemas.ts';
import { createEvent, deleteEvent, getEvent, updateEvent } from './service.ts';

const tags = ['calendar'];
const security = [{ bearerAuth: [] }];
const errors = { '4xx': ErrorResponse };
/** Reads answer 409 too: the calendar needs a partner. */
const readErrors = { ...errors, 409: ErrorAnswer };

/** REST routes under /v1/calendar (signed in); handlers only hand over to the services. */
export const calendarRoutes: FastifyPluginAsyncTypebox<{ ctx: CalendarContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireAuth);

  app.get(
    '/calendar',
    {
      // Per user; every write that changes a month clears both partners' entries (cache.ts).
      config: {
        cache: { scope: 'private', ttlSeconds: 60, tags: (request) => monthCacheTags(callerOf(request).id) },
      },
      schema: {
        tags,
        security,
        operationId: 'calendarMonth',
        summary: "The couple's calendar for one month, recurring events expanded in their own time zone",
        querystring: MonthQuery,
        response: { 200: Responses.month, ...readErrors },
      },
    },
    async (request) => {
      const { view, endsAt } = await monthAndLifetime(ctx, callerOf(request), request.query);
      // A surprise revealed to the caller later changes the month without a write: the entry ends then.
      if (endsAt !== undefined) capCacheLifetime(request, endsAt.getTime() - Date.now());
      return view;
    },
  );

  app.post(
    '/calendar/events',
    {
      config: { idempotent: 'in-transaction' },
      schema: {
        tags,
        security,
        operationId: 'createCalendarEvent',
        summary: 'Add an event to the couple calendar (one-off or recurring, optionally a surprise)',
        body: CreateEventBody,
        response: { 201: Responses.event, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createEvent(ctx, callerOf(request), request.body, idempotentAnswerOf(request))),
  );

  app.get(
    '/calendar/events',
    {
      config: { paginated: true },
      schema: {
        tags,
        security,
        operationId: 'listCalendarEvents',
        summary: "The couple's events (series once each), by first start",
        querystring: PaginationQuery,
        response: { 200: EnvelopedPage(EventView), ...readErrors },
      },
    },
    async (request) => listEvents(ctx, callerOf(request), request.query),
  );

  app.get(
    '/calendar/events/:id',
    {
      schema: {
        tags,
        security,
        operationId: 'getCalendarEvent',
        summary: 'One event (a partner’s unrevealed surprise is 404)',
        params: EventIdParams,
        response: { 200: Responses.event, ...readErrors },
      },
    },
    async (request) => getEvent(ctx, callerOf(request), request.params.id),
  );

  app.patch(
    '/calendar/events/:id',
    {
      schema: {
        tags,
        security,
        operationId: 'updateCalendarEvent',
        summary: 'Change an event (a surprise only by its author)',
        params: EventIdParams,
        body: PatchEventBody,
        response: { 200: Responses.event, ...errors },
      },
    },
    async (request) => updateEvent(ctx, callerOf(request), request.params.id, request.body),
  );

  app.get(
    '/calendar/countdowns',
    {
      schema: {
        tags,
        security,
        operationId: 'calendarCountdowns',
        summary: 'Countdowns to anniversaries, birthdays and days-together milestones, soonest first',
        response: { 200: Responses.countdowns, ...readErrors },
      },
    },
    async (request) => countdowns(ctx, callerOf(request)),
  );

  app.post(
    '/calendar/feed',
    {
      schema: {
        tags,
        security,
        operationId: 'rotateCalendarFeed',
        summary: 'Create your secret iCal feed address, or replace it (the previous one stops working)',
        response: { 200: Responses.feed, ...errors },
      },
    },
    async (request) => rotateFeed(ctx, callerOf(request)),
  );

  app.delete(
    '/calendar/events/:id',
    {
      schema: {
        tags,
        security,
        operationId: 'deleteCalendarEvent',
        summary: 'Delete an event with all its occurrences (a surprise only by its author)',
        params: EventIdParams,
        response: { 200: Enveloped(Type.Null({ description: 'Deleted' })), ...errors },
      },
    },
    async (request) => deleteEvent(ctx, callerOf(request), request.params.id),
  );
};

/** The iCal feed itself: no bearer token, the secret in the address is the credential. */
export const calendarFeedRoutes: FastifyPluginAsyncTypebox<{ ctx: CalendarContext }> = async (
  app,
  { ctx },
) => {
  app.get(
    '/calendar/feed/:token',
    {
      config: { rawBody: true },
      schema: {
        tags,
        security: [],
        operationId: 'calendarFeed',
        summary: 'The iCal feed (text/calendar) of a secret feed address; a rotated address answers 404',
        params: FeedParams,
        response: {
          200: {
            description: 'An RFC 5545 calendar',
            content: { 'text/calendar': { schema: Type.String({ description: 'VCALENDAR text' }) } },
          },
          '4xx': ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const text = await feedText(ctx, request.params.token);
      return reply
        .type('text/calendar; charset=utf-8')
        .header('cache-control', 'private, max-age=300')
        .send(text);
    },
  );
};
