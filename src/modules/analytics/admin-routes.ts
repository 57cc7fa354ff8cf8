import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../../platform/http/auth.ts';
import { ErrorResponse } from '../../platform/http/envelope.ts';
import { openEventStream, sseFrame } from '../../platform/http/event-stream.ts';
import type { AnalyticsContext } from './context.ts';
import { activeUsers, eventSeries, funnel, retention } from './queries.ts';
import {
  ActiveUsersQuery,
  EventsQuery,
  FunnelQuery,
  LiveQuery,
  Responses,
  RetentionQuery,
} from './schemas.ts';

const tags = ['admin', 'analytics'];
const security = [{ bearerAuth: [] }];
const errors = { '4xx': ErrorResponse };

/** /v1/admin/analytics/...: mounted behind requireRole('admin') by the app, checked here too. */
export const analyticsAdminRoutes: FastifyPluginAsyncTypebox<{ ctx: AnalyticsContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', requireRole('admin'));

  app.get(
    '/admin/analytics/active-users',
    {
      schema: {
        tags,
        security,
        summary: 'Distinct active users per day, week or month (DAU / WAU / MAU)',
        querystring: ActiveUsersQuery,
        response: { 200: Responses.activeUsers, ...errors },
      },
    },
    async (request) => activeUsers(ctx, request.query),
  );

  app.get(
    '/admin/analytics/retention',
    {
      schema: {
        tags,
        security,
        summary: 'Retention by cohort of first activity (day, week or month)',
        querystring: RetentionQuery,
        response: { 200: Responses.retention, ...errors },
      },
    },
    async (request) => retention(ctx, request.query),
  );

  app.get(
    '/admin/analytics/funnel',
    {
      schema: {
        tags,
        security,
        summary: 'Ordered conversion funnel over raw events within a window',
        querystring: FunnelQuery,
        response: { 200: Responses.funnel, ...errors },
      },
    },
    async (request) => funnel(ctx, request.query),
  );

  app.get(
    '/admin/analytics/events',
    {
      schema: {
        tags,
        security,
        summary: 'Event counts over time, optionally grouped by event, platform, country or app version',
        querystring: EventsQuery,
        response: { 200: Responses.events, ...errors },
      },
    },
    async (request) => eventSeries(ctx, request.query),
  );

  app.get(
    '/admin/analytics/live',
    {
      // Long-lived: a dashboard must not hold one of the process's request slots.
      config: { concurrencyLimit: false },
      schema: {
        tags,
        security,
        summary:
          'Server-sent events: `stats` frames (active users in the last 5 minutes, events/s, notes sent per minute) from counters, never the events table',
        querystring: LiveQuery,
      },
    },
    async (request, reply) => {
      const limit = request.query.frames ?? Number.POSITIVE_INFINITY;
      const raw = openEventStream(request, reply);
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      let closed = false;
      const stop = () => {
        closed = true;
        clearTimeout(timer);
      };
      request.raw.on('close', stop);
      const frame = async () => {
        const stats = await ctx.counters.read().catch(() => undefined);
        if (closed) return;
        if (stats) {
          raw.write(sseFrame('stats', stats));
          sent++;
        }
        if (sent >= limit) {
          stop();
          raw.end();
          return;
        }
        timer = setTimeout(frame, ctx.platform.config.analytics.liveIntervalMs);
      };
      await frame();
    },
  );
};
