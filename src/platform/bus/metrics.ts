import { sql } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../db/database.ts';
import type { Outcome } from './types.ts';

export interface BusMetrics {
  record(group: string, outcomes: Outcome[]): void;
  relayed(count: number, oldestAgeSeconds: number | null): void;
}

/**
 * Counters for what this process did, and gauges read from the database on
 * scrape (backlog, dead letters), so any process, API or worker, reports them.
 */
export function createBusMetrics(registry: Registry, database: Database): BusMetrics {
  const labelNames = ['group'] as const;
  const counter = (name: string, help: string) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const processed = counter('bus_events_processed_total', 'Events a group handled successfully');
  const skipped = counter(
    'bus_events_skipped_total',
    'Redeliveries skipped because the group processed them',
  );
  const failed = counter('bus_events_failed_total', 'Handler failures (each failed attempt)');
  const retried = counter('bus_events_retried_total', 'Failures scheduled for a retry');
  const deadLettered = counter('bus_events_dead_lettered_total', 'Events moved to the dead letters');
  const relayedTotal = new Counter({
    name: 'bus_outbox_relayed_total',
    help: 'Outbox rows relayed to the transport',
    registers: [registry],
  });
  const relayLag = new Histogram({
    name: 'bus_relay_lag_seconds',
    help: 'Age of the oldest event in each relayed batch (publish to relay)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'bus_outbox_backlog',
    help: 'Outbox rows not yet relayed',
    registers: [registry],
    async collect() {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from outbox_events where relayed_at is null`
        .execute(database.db)
        .catch(() => ({ rows: [] as { n: number }[] }));
      if (rows[0]) this.set(rows[0].n);
    },
  });
  new Gauge({
    name: 'bus_dead_letters',
    help: 'Dead letters waiting for an admin, by group',
    labelNames,
    registers: [registry],
    async collect() {
      const { rows } = await sql<{ group_name: string; n: number }>`
        select group_name, count(*)::int as n from bus_dead_letters group by group_name`
        .execute(database.db)
        .catch(() => ({ rows: [] as { group_name: string; n: number }[] }));
      this.reset();
      for (const row of rows) this.set({ group: row.group_name }, row.n);
    },
  });

  return {
    record(group, outcomes) {
      for (const outcome of outcomes) {
        if (outcome.kind === 'done') processed.inc({ group });
        else if (outcome.kind === 'skipped') skipped.inc({ group });
        else {
          failed.inc({ group });
          if (outcome.kind === 'retry') retried.inc({ group });
          else deadLettered.inc({ group });
        }
      }
    },
    relayed(count, oldestAgeSeconds) {
      if (count === 0) return;
      relayedTotal.inc(count);
      if (oldestAgeSeconds !== null) relayLag.observe(Math.max(0, oldestAgeSeconds));
    },
  };
}
