import type { Platform } from '../../platform/platform.ts';
import type { CalendarDeps } from './dependencies.ts';
import type { CalendarDb } from './tables.ts';

/** What the calendar's use cases receive, built in index.ts. */
export interface CalendarContext {
  platform: Platform;
  db: CalendarDb;
  deps: CalendarDeps;
}
