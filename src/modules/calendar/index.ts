import type { EventMap } from '../../platform/bus/events.ts';
import { cachedRouteReader } from '../../platform/gateway/response-cache/reader.ts';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import type { AppModule } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import type { CalendarContext } from './context.ts';
import { type CalendarDeps, defaultDeps } from './dependencies.ts';
import { CALENDAR_EVENTS } from './events.ts';
import { CALENDAR_JOBS } from './jobs.ts';
import { migrations } from './migrations/index.ts';
import { calendarPersonalData } from './personal-data.ts';
import { monthOf } from './queries.ts';
import { sendDueReminders } from './reminders.ts';
import { calendarFeedRoutes, calendarRoutes } from './routes.ts';
import type { MonthQuery } from './schemas.ts';
import type { CalendarDb, CalendarTrx } from './tables.ts';

/**
 * The couple calendar: shared events with recurrence in their own time zone,
 * surprises, reminders, the iCal feed and countdowns. Other modules import
 * only this file.
 */
export type { CalendarDeps } from './dependencies.ts';
export { MonthQuery, MonthView } from './schemas.ts';

export function calendarContext(platform: Platform, deps: CalendarDeps = defaultDeps): CalendarContext {
  return {
    platform,
    db: platform.database.db as CalendarDb,
    reader: cachedRouteReader(platform) as CalendarDb,
    deps,
  };
}

/** The month view exactly as REST answers it, for GraphQL's `calendar(month, year)`. */
export function calendarService(platform: Platform, deps: CalendarDeps = defaultDeps) {
  const ctx = calendarContext(platform, deps);
  return { month: (user: AuthUser, query: MonthQuery) => monthOf(ctx, user, query) };
}
export type CalendarService = ReturnType<typeof calendarService>;

export function calendarModule(deps: CalendarDeps = defaultDeps): AppModule {
  return {
    name: 'calendar',
    tablePrefix: 'calendar_',
    migrations,
    events: CALENDAR_EVENTS,
    jobs: CALENDAR_JOBS,
    personalData: calendarPersonalData,
    async routes(app, { platform }) {
      const ctx = calendarContext(platform, deps);
      await app.register(calendarRoutes, { ctx });
      await app.register(calendarFeedRoutes, { ctx });
    },
    async worker(platform) {
      const ctx = calendarContext(platform, deps);
      platform.bus.consume('calendar', ['couple.purged'], async (event, trx) => {
        // The couple's read-only period after an unlink ended: its events go.
        const { coupleId } = event.data as EventMap['couple.purged'];
        await (trx as CalendarTrx).deleteFrom('calendar_events').where('couple_id', '=', coupleId).execute();
      });
      platform.jobs.define('calendar.remind', async ({ coupleId, eventId }) => {
        await sendDueReminders(ctx, coupleId, eventId);
      });
      return async () => {};
    },
  };
}
