import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf, requireAuth, requireRole } from '../../platform/http/auth.ts';
import { Enveloped, EnvelopedPage, NoContent } from '../../platform/http/envelope.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import { inboxTag } from './cache.ts';
import * as s from './schemas.ts';
import type { NotificationsService } from './service.ts';

const tags = ['notifications'];
const security = [{ bearerAuth: [] }];
const user = { onRequest: requireAuth };

/** The /v1/notifications routes: one-line handlers over the service. */
export const notificationRoutes: FastifyPluginAsyncTypebox<{
  service: NotificationsService;
  publicUrl: string;
}> = async (app, opts) => {
  const { service } = opts;
  // Twilio posts its callbacks as a form; only this plugin's routes accept that.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get(
    '/notifications',
    {
      ...user,
      config: {
        paginated: true,
        // Per user, every query variant; each write that changes the list clears it (cache.ts).
        cache: { scope: 'private', ttlSeconds: 60, tags: (request) => [inboxTag(callerOf(request).id)] },
      },
      schema: {
        tags,
        security,
        summary: 'The inbox, newest first',
        querystring: s.ListQuery,
        response: { 200: EnvelopedPage(s.Notification) },
      },
    },
    async (request) => service.list(callerOf(request).id, request.query),
  );

  app.get(
    '/notifications/unread-count',
    {
      ...user,
      schema: { tags, security, summary: 'How many are unread', response: { 200: Enveloped(s.UnreadCount) } },
    },
    async (request) => service.unreadCount(callerOf(request).id),
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
    async (request) => service.markAllRead(callerOf(request).id),
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
    async (request) => service.markRead(callerOf(request).id, request.params.id),
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
      await service.remove(callerOf(request).id, request.params.id);
      reply.status(204);
      // Fastify ends a 204 with no body when the handler returns nothing.
      return undefined;
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
    async (request) => service.deliveries(callerOf(request).id, request.params.id),
  );

  app.get(
    '/notifications/preferences',
    {
      ...user,
      schema: {
        tags,
        security,
        summary: 'Which categories may reach you on which channels (the one place these switches live)',
        response: { 200: Enveloped(s.Preferences) },
      },
    },
    async (request) => service.preferences(callerOf(request).id),
  );

  app.patch(
    '/notifications/preferences',
    {
      ...user,
      schema: {
        tags,
        security,
        summary: 'Switch categories on or off per channel, e.g. {"love-notes":{"email":false}}',
        body: s.PreferencesUpdate,
        response: { 200: Enveloped(s.Preferences) },
      },
    },
    async (request) => service.updatePreferences(callerOf(request).id, request.body),
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
        .send(await service.subscribe(callerOf(request).id, request.body, request.headers['user-agent'])),
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
      await service.unsubscribePush(callerOf(request).id, request.params.id);
      reply.status(204);
      // Fastify ends a 204 with no body when the handler returns nothing.
      return undefined;
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
      reply.status(201).send(await service.registerDevice(callerOf(request).id, request.body)),
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
      await service.removeDevice(callerOf(request).id, request.body);
      reply.status(204);
      // Fastify ends a 204 with no body when the handler returns nothing.
      return undefined;
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
    async (request) => service.describeUnsubscribe(request.query.token),
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
    async (request) => service.unsubscribe(request.query.token),
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
        request.body,
      );
      reply.status(204);
      // Fastify ends a 204 with no body when the handler returns nothing.
      return undefined;
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
        response: { 200: EnvelopedPage(s.Delivery) },
      },
    },
    async (request) => service.failures(request.query),
  );

  app.post(
    '/admin/notifications/failures/:id/retry',
    {
      onRequest: requireRole('admin'),
      schema: {
        tags: ['admin'],
        security,
        summary: 'Send a failed delivery again (a fresh set of attempts), e.g. after a provider outage',
        params: s.IdParams,
        response: { 200: Enveloped(s.Delivery) },
      },
    },
    async (request) => service.retryFailure(request.params.id),
  );
};
