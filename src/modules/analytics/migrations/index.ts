import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mAnalytics from './20261202T2000_analytics.ts';

/** The migrations of the analytics module, in this folder only. */
export const migrations: Migrations = {
  '20261202T2000_analytics': mAnalytics,
};
