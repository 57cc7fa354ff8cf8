import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mCalendar from './20261202T2000_calendar.ts';

/** The migrations of the calendar module, in this folder only. */
export const migrations: Migrations = {
  '20261202T2000_calendar': mCalendar,
};
