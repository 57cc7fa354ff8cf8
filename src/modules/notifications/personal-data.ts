import type { Kysely } from 'kysely';
import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { forgetInboxes } from './cache.ts';
import { eraseUser, findRecipient, listDevices, listPushSubscriptions } from './repo.ts';
import type { NotificationsDb } from './tables.ts';

/** What the notifications module holds about a person, for export and erasure. */
export const notificationsPersonalData: PersonalData = {
  async export(platform: Platform, userId: string) {
    const db = platform.database.db as Kysely<NotificationsDb>;
    const scope = { userId };
    const items = await db
      .selectFrom('notifications_items')
      .select(['id', 'kind', 'category', 'title', 'body', 'data', 'created_at', 'read_at'])
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
    const deliveries = await db
      .selectFrom('notifications_deliveries')
      .select(['notification_id', 'channel', 'status', 'reason', 'attempts', 'sent_at', 'delivered_at'])
      .where('user_id', '=', userId)
      .orderBy('notification_id')
      .execute();
    const recipient = await findRecipient(db, scope);
    return {
      notifications: items,
      deliveries,
      // Endpoints and tokens are secrets to the push services, not personal facts: listed, not copied.
      pushSubscriptions: (await listPushSubscriptions(db, scope)).map((s) => ({
        id: s.id,
        origin: new URL(s.endpoint).origin,
        userAgent: s.user_agent,
        createdAt: s.created_at,
      })),
      devices: (await listDevices(db, scope)).map((d) => ({
        id: d.id,
        platform: d.platform,
        createdAt: d.created_at,
      })),
      contact: recipient
        ? {
            email: recipient.email,
            phone: recipient.phone,
            locale: recipient.locale,
            timeZone: recipient.time_zone,
            // The switches the person changed (PATCH /v1/notifications/preferences, unsubscribe links).
            preferences: recipient.preferences,
          }
        : null,
    };
  },

  async erase(platform: Platform, userId: string) {
    const db = platform.database.db as Kysely<NotificationsDb>;
    await db.transaction().execute((trx) => eraseUser(trx, { userId }));
    // After the commit: no process keeps answering the erased inbox from its cache.
    await forgetInboxes(platform.responseCache, [userId]);
  },
};
