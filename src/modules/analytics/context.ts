import type { Platform } from '../../platform/platform.ts';
import type { IngestBuffer } from './buffer.ts';
import type { LiveCounters } from './counters.ts';
import type { AnalyticsDeps } from './deps.ts';
import type { AnalyticsDb } from './tables.ts';

/** What the module's use cases receive, built once per process in index.ts. */
export interface AnalyticsContext {
  platform: Platform;
  db: AnalyticsDb;
  deps: AnalyticsDeps;
  buffer: IngestBuffer;
  counters: LiveCounters;
}
