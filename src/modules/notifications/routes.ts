import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { Enveloped, NoContent } from '../../platform/http/envelope.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import { requireAuth, requireRole } from '../auth/index.ts';
import * as s from './schemas.ts';
import type { NotificationsService } from './service.ts';

const tags = ['notifications'];
const security = [{ bearerAuth: [] }];
const user = { onRequest: requireAuth };

/** The caller of a route behind requireAuth. */
const caller = (request: FastifyRequest): AuthUser => request.user!;

/** The /v1/notifications routes: one-line handlers over the service. */
export async function notificationRoutes(
  app: FastifyInstance,
  opts: { service: NotificationsService; publicUrl: string },
) {
  const { service } = opts;
  // Twilio posts its callbacks as a form; only this plugin's routes accept that.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get(
    '/notifications',
    {
      ...user,
      config: { paginated: true },
      schema: {
        tags,
        security,
        summary: 'The inbox, newest first',
        querystring: s.ListQuery,
        response: { 200: Enveloped(Type.Array(s.Notification)) },
      },
    },
    async (request) => service.list(caller(request).id, request.query as s.ListQuery),
  );

  app.get(
    '/notifications/unread-count',
    {
      ...user,
      schema: { tags, security, summary: 'How many are unread', response: { 200: Enveloped(s.UnreadCount) } },
    },
    async (request) => service.unreadCount(caller(request).id),
  );

  app.post(
    '/notifications/read-all',
    {
      ...user,
      schema: {
        tags,
        security,
        summary: 'Mark every notification read',
        response: { 200: Enveloped(s.Updated) },
      },
    },
    async (request) => service.markAllRead(caller(request).id),
  );

  app.post(
    '/notifications/:id/read',
    {
      ...user,
      schema: {
        tags,
        security,
        summary: 'Mark one notification read (again is fine)',
        params: s.IdParams,
        response: { 200: Enveloped(s.Notification) },
      },
    },
    async (request) => service.markRead(caller(request).id, (request.params as { id: string }).id),
  );

  app.delete(
    '/notifications/:id',
    {
      ...user,
      schema: {
        tags,
        security,
        summary: 'Delete one notification',
        params: s.IdParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await service.remove(caller(request).id, (request.params as { id: string }).id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/notifications/:id/deliveries',
    {
      ...user,
      schema: {
        tags,
        security,
        summary: 'What happened on each channel',
        params: s.IdParams,
        response: { 200: Enveloped(Type.Array(s.Delivery)) },
      },
    },
    async (request) => service.deliveries(caller(request).id, (request.params as { id: string }).id),
  );

  app.get(
    '/notifications/vapid-public-key',
    {
      schema: {
        tags,
        summary: 'The VAPID key browsers subscribe with',
        response: { 200: Enveloped(s.VapidKey) },
      },
    },
    async () => service.vapidPublicKey(),
  );

  app.post(
    '/notifications/push-subscriptions',
    {
      ...user,
      schema: {
        tags,
        security,
        summary: 'Register a browser push subscription (the same endpoint again updates it)',
        body: s.PushSubscriptionBody,
        response: { 201: Enveloped(s.PushSubscription) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await service.subscribe(
            caller(request).id,
            request.body as s.PushSubscriptionBody,
            request.headers['user-agent'],
          ),
        ),
  );

  app.delete(
    '/notifications/push-subscriptions/:id',
    {
      ...user,
      schema: {
        tags,
        security,
        summary: 'Remove a browser push subscription',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await service.unsubscribePush(caller(request).id, (request.params as { id: string }).id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/notifications/devices',
    {
      ...user,
      schema: {
        tags,
        security,
        summary: 'Register a phone for push (APNs on iOS, FCM on Android)',
        body: s.DeviceBody,
        response: { 201: Enveloped(s.Device) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.registerDevice(caller(request).id, request.body as s.DeviceBody)),
  );

  app.delete(
    '/notifications/devices',
    {
      ...user,
      schema: {
        tags,
        security,
        summary: 'Stop pushing to a phone (on sign-out)',
        body: s.DeviceBody,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await service.removeDevice(caller(request).id, request.body as s.DeviceBody);
      return reply.status(204).send();
    },
  );

  app.get(
    '/notifications/unsubscribe',
    {
      schema: {
        tags,
        summary: 'What a mail unsubscribe link switches off (changes nothing; POST does)',
        querystring: s.UnsubscribeQuery,
        response: { 200: Enveloped(s.Unsubscribe) },
      },
    },
    async (request) => service.describeUnsubscribe((request.query as { token: string }).token),
  );

  app.post(
    '/notifications/unsubscribe',
    {
      schema: {
        tags,
        summary: 'One-click unsubscribe (RFC 8058): switches that category off for email',
        querystring: s.UnsubscribeQuery,
        response: { 200: Enveloped(s.Unsubscribe) },
      },
    },
    async (request) => service.unsubscribe((request.query as { token: string }).token),
  );

  app.post(
    '/notifications/webhooks/twilio',
    {
      schema: {
        tags,
        summary: 'Twilio delivery status callback (X-Twilio-Signature verified)',
        body: s.TwilioStatusBody,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const signature = request.headers['x-twilio-signature'];
      await service.twilioStatus(
        // Twilio signs the URL it was given: our public URL, never what a proxy rewrote.
        `${opts.publicUrl}/v1/notifications/webhooks/twilio${request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : ''}`,
        typeof signature === 'string' ? signature : undefined,
        request.body as Record<string, string>,
      );
      return reply.status(204).send();
    },
  );

  app.get(
    '/admin/notifications/failures',
    {
      onRequest: requireRole('admin'),
      config: { paginated: true },
      schema: {
        tags: ['admin'],
        security,
        summary: 'Failed deliveries across users, newest first',
        querystring: PaginationQuery,
        response: { 200: Enveloped(Type.Array(s.Delivery)) },
      },
    },
    async (request) => service.failures(request.query as { limit?: number; cursor?: string }),
  );
}
