import type { Platform } from '../../platform/platform.ts';
import type { CalendarDeps } from './dependencies.ts';
import type { CalendarDb } from './tables.ts';

/** What the calendar's use cases receive, built in index.ts. */
export interface CalendarContext {
  platform: Platform;
  db: CalendarDb;
  /**
   * The month's pool (`GET /calendar` is response-cached): the primary while the response cache
   * is on, else a replica when configured (read-your-writes holds); see `cachedRouteReader`.
   */
  reader: CalendarDb;
  deps: CalendarDeps;
}
