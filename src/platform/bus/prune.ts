import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { deadLetterRow } from './dead-letters.ts';
import { envelopeFromRow, type OutboxEventRow } from './outbox.ts';

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
  return removed + (await deadLetterUnsubscribed(database));
}

/** Why a delivery no group process will ever claim became a dead letter. */
export const UNSUBSCRIBED_ERROR = 'no process of the group handles this event type any more';

/**
 * Deliveries whose (group, type) has no subscription left: every version that
 * handled the type stopped refreshing it and its row was pruned, so no process
 * claims them (each claims only its own types) and they would stay forever,
 * scanned past by every claim. They become dead letters, where an admin sees,
 * replays (after deploying a handler) or discards them; nothing is dropped.
 */
async function deadLetterUnsubscribed(database: Database): Promise<number> {
  let moved = 0;
  for (;;) {
    const count = await database.db.transaction().execute(async (trx) => {
      const { rows } = await sql<
        OutboxEventRow & { delivery_id: number; group_name: string; attempts: number }
      >`
        select d.id as delivery_id, d.group_name, d.attempts, o.id, o.type, o.version, o.occurred_at,
               o.actor_id, o.couple_id, o.data, o.trace_context
        from bus_deliveries d join outbox_events o on o.position = d.position
        where not exists (select 1 from bus_subscriptions s
                          where s.group_name = d.group_name and s.event_type = o.type)
        order by d.id limit ${CHUNK}
        for update of d skip locked`.execute(trx);
      if (rows.length === 0) return 0;
      await trx
        .insertInto('bus_dead_letters')
        .values(
          rows.map((row) =>
            deadLetterRow(row.group_name, envelopeFromRow(row), row.attempts, UNSUBSCRIBED_ERROR),
          ),
        )
        .execute();
      await sql`delete from bus_deliveries where id = any(${rows.map((r) => r.delivery_id)}::bigint[])`.execute(
        trx,
      );
      return rows.length;
    });
    moved += count;
    if (count < CHUNK) return moved;
  }
}
