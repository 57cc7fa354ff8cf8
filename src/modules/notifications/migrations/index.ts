import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mNotifications from './20261125T1102_notifications.ts';
import * as mNotificationsInbox from './20261202T1700_notifications_inbox.ts';
import * as mNotificationsQueueAutovacuum from './20261203T0701_notifications_queue_autovacuum.ts';

/** The migrations of the notifications module, in this folder only; names start with a UTC timestamp that orders them globally. */
export const migrations: Migrations = {
  '20261125T1102_notifications': mNotifications,
  '20261202T1700_notifications_inbox': mNotificationsInbox,
  '20261203T0701_notifications_queue_autovacuum': mNotificationsQueueAutovacuum,
};
