import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { eraseEventsOf, eventsOf } from './repo.ts';
import type { AnalyticsDb } from './tables.ts';

/**
 * What analytics holds about a person: the events recorded with their id and
 * the days they were active. Erasure deletes both; the aggregate counts per
 * event and day keep no one's id and stay.
 */
export const analyticsPersonalData: PersonalData = {
  export(platform: Platform, userId: string) {
    return eventsOf(platform.database.db as AnalyticsDb, userId);
  },
  erase(platform: Platform, userId: string) {
    return eraseEventsOf(platform.database.db as AnalyticsDb, userId);
  },
};
