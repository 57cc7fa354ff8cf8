import * as auth from './modules/auth/migrations/20261125T1102_auth.ts';
import * as authSingleSources from './modules/auth/migrations/20261202T1701_auth_single_sources.ts';
import * as couples from './modules/couples/migrations/20261125T1101_couples.ts';
import * as loveNotes from './modules/love-notes/migrations/20261125T1110_love_notes.ts';
import * as loveNotesOutcomes from './modules/love-notes/migrations/20261125T1200_love_notes_channel_outcomes.ts';
import * as loveNotesPartitioned from './modules/love-notes/migrations/20261125T1230_love_notes_partitioned.ts';
import * as notifications from './modules/notifications/migrations/20261125T1102_notifications.ts';
import * as notificationsInbox from './modules/notifications/migrations/20261202T1700_notifications_inbox.ts';
import * as users from './modules/users/migrations/20261125T1100_users.ts';
import * as platformBase from './platform/db/migrations/20261125T0900_platform_base.ts';
import * as platformOutbox from './platform/db/migrations/20261125T0901_platform_outbox.ts';
import * as platformIdempotency from './platform/db/migrations/20261125T0902_platform_idempotency.ts';
import * as platformBus from './platform/db/migrations/20261125T0910_platform_bus.ts';
import * as platformOutboxWakeup from './platform/db/migrations/20261125T1200_platform_outbox_wakeup.ts';
import * as platformIdempotencyData from './platform/db/migrations/20261202T0900_platform_idempotency_data.ts';
import type { Migrations } from './platform/db/migrator.ts';

/**
 * Every migration of every module, in one list so the order is explicit and
 * the set is known at build time. Keys sort by their timestamp prefix.
 */
export const migrations: Migrations = {
  '20261125T0900_platform_base': platformBase,
  '20261125T0901_platform_outbox': platformOutbox,
  '20261125T0902_platform_idempotency': platformIdempotency,
  '20261125T0910_platform_bus': platformBus,
  '20261125T1100_users': users,
  '20261125T1101_couples': couples,
  // Auth came after users and couples on main: a later stamp, so databases migrated before it still migrate.
  '20261125T1102_auth': auth,
  '20261125T1102_notifications': notifications,
  '20261125T1110_love_notes': loveNotes,
  '20261125T1200_love_notes_channel_outcomes': loveNotesOutcomes,
  '20261125T1200_platform_outbox_wakeup': platformOutboxWakeup,
  '20261125T1230_love_notes_partitioned': loveNotesPartitioned,
  '20261202T0900_platform_idempotency_data': platformIdempotencyData,
  '20261202T1700_notifications_inbox': notificationsInbox,
  '20261202T1701_auth_single_sources': authSingleSources,
};
