import { sql } from 'kysely';
import type { Database } from '../db/database.ts';

export interface Retention {
  /** Relayed outbox rows older than this go (unless a delivery or dead letter still needs them). */
  outboxDays: number;
  /** Processed ids older than this go; keep it above the JetStream stream's max age (7 days). */
  processedDays: number;
  /**
   * A (group, event type) subscription no process has refreshed for this long goes: no
   * running version consumes it any more. Every process refreshes its own hourly
   * (`SUBSCRIPTION_REFRESH_MS`), so this only needs to outlast a rollback to a version
   * that was stopped a while: a row of a version that comes back is simply written again.
   */
  subscriptionDays: number;
}

export const DEFAULT_RETENTION: Retention = { outboxDays: 7, processedDays: 8, subscriptionDays: 7 };

const CHUNK = 5000;

/**
 * Deletes what the bus no longer needs, in chunks so no single transaction
 * holds many locks or bloats the WAL at once. Runs as an hourly job.
 */
export async function pruneBus(
  database: Database,
  retention: Retention = DEFAULT_RETENTION,
): Promise<number> {
  const { db } = database;
  let removed = 0;
  for (;;) {
    const result = await sql`
      delete from bus_processed where ctid in (
        select ctid from bus_processed
        where processed_at < now() - make_interval(days => ${retention.processedDays})
        limit ${CHUNK})`.execute(db);
    removed += Number(result.numAffectedRows ?? 0);
    if (Number(result.numAffectedRows ?? 0) < CHUNK) break;
  }
  for (;;) {
    const result = await sql`
      delete from outbox_events where position in (
        select o.position from outbox_events o
        where o.relayed_at < now() - make_interval(days => ${retention.outboxDays})
          and not exists (select 1 from bus_deliveries d where d.position = o.position)
          and not exists (select 1 from bus_dead_letters l where l.event_id = o.id)
        order by o.position
        limit ${CHUNK})`.execute(db);
    removed += Number(result.numAffectedRows ?? 0);
    if (Number(result.numAffectedRows ?? 0) < CHUNK) break;
  }
  const stale = await sql`
    delete from bus_subscriptions
    where updated_at < now() - make_interval(days => ${retention.subscriptionDays})`.execute(db);
  removed += Number(stale.numAffectedRows ?? 0);
  return removed;
}
