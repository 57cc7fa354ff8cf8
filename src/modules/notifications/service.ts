import { verifyTwilioSignature } from '../../platform/channels/index.ts';
import { notFound, unauthenticated, validationError } from '../../platform/http/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { forgetInboxes } from './cache.ts';
import type { NotificationsContext } from './context.ts';
import { readUnsubscribeToken } from './email.ts';
import { preferencesOf } from './intake.ts';
import { publishOutcome } from './outcomes.ts';
import { LOCKED, MANDATORY_CATEGORIES, mergeOverrides } from './preferences.ts';
import * as repo from './repo.ts';
import type {
  Category,
  DeliveryRow,
  DeviceRow,
  NotificationRow,
  PreferenceOverrides,
  Priority,
  PushSubscriptionRow,
} from './tables.ts';

/** The views the API returns (camelCase, no internals). */
export interface NotificationView {
  id: string;
  kind: string;
  category: Category;
  priority: Priority;
  title: string;
  body: string;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

const toView = (row: NotificationRow): NotificationView => ({
  id: row.id,
  kind: row.kind,
  category: row.category,
  priority: row.priority,
  title: row.title,
  body: row.body,
  data: row.data,
  createdAt: row.created_at.toISOString(),
  readAt: row.read_at?.toISOString() ?? null,
});

const deliveryView = (row: DeliveryRow & { kind?: string; category?: string }) => ({
  id: row.id,
  notificationId: row.notification_id,
  userId: row.user_id,
  channel: row.channel,
  status: row.status,
  reason: row.reason,
  digest: row.digest,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
  providerMessageId: row.provider_message_id,
  lastError: row.last_error,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  sentAt: row.sent_at?.toISOString() ?? null,
  deliveredAt: row.delivered_at?.toISOString() ?? null,
  ...(row.kind ? { kind: row.kind } : {}),
  ...(row.category ? { category: row.category } : {}),
});

const subscriptionView = (row: PushSubscriptionRow) => ({
  id: row.id,
  endpoint: row.endpoint,
  createdAt: row.created_at.toISOString(),
});

const deviceView = (row: DeviceRow) => ({
  id: row.id,
  platform: row.platform,
  createdAt: row.created_at.toISOString(),
});

/** Push services are HTTPS origins; anything else could point the server at its own network. */
function checkEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw validationError('endpoint must be an https URL', 'endpoint');
  }
  if (url.protocol !== 'https:') throw validationError('endpoint must be an https URL', 'endpoint');
}

function checkKey(value: string, bytes: number, field: string): void {
  if (Buffer.from(value, 'base64url').length !== bytes) {
    throw validationError(`${field} must be ${bytes} bytes, base64url-encoded`, field);
  }
}

export function createNotificationsService(ctx: NotificationsContext) {
  const db = ctx.db;
  const unsubscribeTarget = (token: string) => {
    const target = readUnsubscribeToken(ctx.encryption, token);
    if (!target || MANDATORY_CATEGORIES.has(target.category)) {
      throw validationError('the unsubscribe link is not valid', 'token');
    }
    return target;
  };
  const changePreferences = (userId: string, patch: PreferenceOverrides) =>
    db
      .transaction()
      .execute((trx) =>
        repo.updatePreferenceOverrides(trx, { userId }, (stored) => mergeOverrides(stored, patch)),
      );
  return {
    async list(
      userId: string,
      query: { unread?: boolean; limit?: number; cursor?: string },
    ): Promise<Page<NotificationView>> {
      const limit = query.limit ?? 20;
      const before = decodeCursor<{ id: string }>(query.cursor, ['id']);
      // The primary while the list is cached (a replica's lag would be cached too), else a
      // replica when configured (read-your-writes: http/read-your-writes.ts). See context.ts.
      const rows = await repo.listNotifications(
        ctx.reader,
        { userId },
        {
          unread: query.unread ?? false,
          limit,
          ...(before ? { before: before.id } : {}),
        },
      );
      const page = toPage(rows, limit, (row) => ({ id: row.id }));
      return { items: page.items.map(toView), nextCursor: page.nextCursor };
    },

    async unreadCount(userId: string) {
      return { count: await repo.countUnread(db, { userId }) };
    },

    async markRead(userId: string, id: string) {
      const row = await repo.markRead(db, { userId }, id);
      if (!row) throw notFound('notification', id);
      await forgetInboxes(ctx.responseCache, [userId]);
      return toView(row);
    },

    async markAllRead(userId: string) {
      const updated = await repo.markAllRead(db, { userId });
      if (updated > 0) await forgetInboxes(ctx.responseCache, [userId]);
      return { updated };
    },

    async remove(userId: string, id: string) {
      if (!(await repo.deleteNotification(db, { userId }, id))) throw notFound('notification', id);
      await forgetInboxes(ctx.responseCache, [userId]);
    },

    async deliveries(userId: string, id: string) {
      if (!(await repo.findNotification(db, { userId }, id))) throw notFound('notification', id);
      return (await repo.listDeliveries(db, { userId }, id)).map(deliveryView);
    },

    async failures(query: { limit?: number; cursor?: string }) {
      const limit = query.limit ?? 20;
      const before = decodeCursor<{ id: string }>(query.cursor, ['id']);
      const rows = await repo.listFailures(db, { limit, ...(before ? { before: before.id } : {}) });
      const page = toPage(rows, limit, (row) => ({ id: row.id }));
      return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
    },

    async retryFailure(id: string) {
      return db.transaction().execute(async (trx) => {
        const row = await repo.reopenFailure(trx, id);
        if (!row) throw notFound('failed delivery', id);
        await ctx.queue.enqueue(trx, { userId: row.user_id, deliveryId: row.id }, new Date());
        return deliveryView(row);
      });
    },

    vapidPublicKey() {
      return { publicKey: ctx.channels.webPush.vapidPublicKey };
    },

    async subscribe(
      userId: string,
      input: { endpoint: string; keys: { p256dh: string; auth: string } },
      userAgent: string | undefined,
    ) {
      checkEndpoint(input.endpoint);
      checkKey(input.keys.p256dh, 65, 'keys.p256dh');
      checkKey(input.keys.auth, 16, 'keys.auth');
      const row = await repo.upsertPushSubscription(
        db,
        { userId },
        {
          endpoint: input.endpoint,
          p256dh: input.keys.p256dh,
          auth: input.keys.auth,
          userAgent: userAgent?.slice(0, 512) ?? null,
        },
      );
      return subscriptionView(row);
    },

    async unsubscribePush(userId: string, id: string) {
      if (!(await repo.deletePushSubscription(db, { userId }, id))) throw notFound('push subscription', id);
    },

    async registerDevice(userId: string, input: { platform: 'ios' | 'android'; token: string }) {
      return deviceView(await repo.upsertDevice(db, { userId }, input));
    },

    async removeDevice(userId: string, input: { platform: 'ios' | 'android'; token: string }) {
      if (!(await repo.deleteDevice(db, { userId }, input))) throw notFound('device');
    },

    /** What a one-click link would switch off (GET shows it; only POST acts, per RFC 8058). */
    describeUnsubscribe(token: string) {
      return { category: unsubscribeTarget(token).category, channel: 'email' as const };
    },

    async unsubscribe(token: string) {
      const target = unsubscribeTarget(token);
      await changePreferences(target.userId, { [target.category]: { email: false } });
      return { category: target.category, channel: 'email' as const, unsubscribed: true };
    },

    /** The category × channel matrix that delivery follows: defaults with the person's switches. */
    async preferences(userId: string) {
      return preferencesOf(await repo.findRecipient(db, { userId }));
    },

    async updatePreferences(userId: string, patch: PreferenceOverrides) {
      for (const [category, channel] of LOCKED) {
        if (patch[category]?.[channel] === false) {
          throw validationError(`${category} ${channel} cannot be switched off`, `${category}.${channel}`);
        }
      }
      return preferencesOf({ preferences: await changePreferences(userId, patch) });
    },

    /** Twilio's status callback: signed with the auth token over the public URL and the form. */
    async twilioStatus(url: string, signature: string | undefined, form: Record<string, string>) {
      if (!ctx.twilioAuthToken || !verifyTwilioSignature(ctx.twilioAuthToken, signature, url, form)) {
        throw unauthenticated('The Twilio signature is missing or wrong');
      }
      const sid = form.MessageSid ?? form.SmsSid;
      const status = form.MessageStatus ?? form.SmsStatus;
      if (!sid || !status) throw validationError('MessageSid and MessageStatus are required');
      const outcome =
        status === 'delivered'
          ? { status: 'delivered' as const }
          : status === 'failed' || status === 'undelivered'
            ? {
                status: 'failed' as const,
                error: `Twilio: ${status}${form.ErrorCode ? ` (${form.ErrorCode})` : ''}`,
              }
            : undefined;
      if (!outcome) return;
      await db.transaction().execute(async (trx) => {
        for (const row of await repo.markDeliveredByProviderId(trx, sid, outcome)) {
          const notification = await repo.findNotification(trx, { userId: row.user_id }, row.notification_id);
          if (!notification) continue;
          await publishOutcome(
            trx,
            { ...row, kind: notification.kind, data: notification.data },
            {
              status: row.status,
              reason: row.reason,
              at: ctx.now(),
            },
          );
        }
      });
    },
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
