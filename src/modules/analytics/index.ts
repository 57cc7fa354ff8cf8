import type { AppModule } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { analyticsAdminRoutes } from './admin-routes.ts';
import { createBuffer } from './buffer.ts';
import { analyticsConfig } from './config.ts';
import type { AnalyticsContext } from './context.ts';
import { liveCounters } from './counters.ts';
import { type AnalyticsDeps, defaultDeps } from './deps.ts';
import { consumeServerEvents, SERVER_EVENTS } from './events.ts';
import { ANALYTICS_JOBS, defineJobs, refreshRollups, upkeep } from './jobs.ts';
import { migrations } from './migrations/index.ts';
import { analyticsPersonalData } from './personal-data.ts';
import { insertEvents } from './repo.ts';
import { analyticsRoutes } from './routes.ts';
import type { AnalyticsDb } from './tables.ts';

/**
 * Analytics: client events (group-committed), server events from the bus,
 * day-partitioned storage, daily rollups, admin queries and a live stream.
 * Other modules import only this file.
 */
export type { AnalyticsDeps } from './deps.ts';
export { refreshRollups, SERVER_EVENTS, upkeep as upkeepAnalyticsPartitions };

// One buffer and one set of counters per process (per platform), shared by its API routes.
const contexts = new WeakMap<Platform, AnalyticsContext>();

export function analyticsContext(platform: Platform, deps: AnalyticsDeps = defaultDeps): AnalyticsContext {
  const known = contexts.get(platform);
  if (known) return known;
  const db = platform.database.db as AnalyticsDb;
  const counters = liveCounters(platform);
  const { flushMs, flushRows, flushConcurrency, maxPendingRows } = platform.config.analytics;
  const buffer = createBuffer({
    flushMs,
    flushRows,
    maxInFlight: flushConcurrency,
    maxPendingRows,
    write: (rows) => insertEvents(db, rows),
    written: (rows) => {
      void counters.record(
        rows.length,
        rows.map((r) => r.userId),
      );
    },
  });
  const ctx = { platform, db, deps, buffer, counters };
  contexts.set(platform, ctx);
  return ctx;
}

export function analyticsModule(deps: AnalyticsDeps = defaultDeps): AppModule {
  return {
    name: 'analytics',
    tablePrefix: 'analytics_',
    migrations,
    jobs: ANALYTICS_JOBS,
    config: analyticsConfig,
    personalData: analyticsPersonalData,
    async routes(app, { platform }) {
      const ctx = analyticsContext(platform, deps);
      // What was accepted is written before the process stops answering.
      app.addHook('onClose', () => ctx.buffer.drain());
      await app.register(analyticsRoutes, { ctx });
    },
    async admin(app, { platform }) {
      await app.register(analyticsAdminRoutes, { ctx: analyticsContext(platform, deps) });
    },
    async worker(platform) {
      const ctx = analyticsContext(platform, deps);
      consumeServerEvents(platform, deps, ctx.counters);
      await defineJobs(platform);
      return async () => {};
    },
  };
}
