import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mNotifications from './20261125T1102_notifications.ts';

/** The migrations of the notifications module, in this folder only; names start with a UTC timestamp that orders them globally. */
export const migrations: Migrations = {
  '20261125T1102_notifications': mNotifications,
};
