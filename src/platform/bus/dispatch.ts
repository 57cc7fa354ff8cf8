import { sql } from 'kysely';
import { newId } from '../ids.ts';
import { retryDelayMs } from './backoff.ts';
import type { Delivery, HandlerTransaction, Outcome, Subscription } from './types.ts';

const MAX_ERROR_LENGTH = 2000;

export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, MAX_ERROR_LENGTH);
}

/**
 * Runs a batch of deliveries of one group inside the caller's transaction and
 * decides each one's fate; shared by both transports so they keep one
 * contract. Event ids are recorded as processed for the group in the same
 * transaction as the handler's writes: a redelivery of a committed event is
 * skipped, a rolled-back one is tried again. Each handler runs under its own
 * savepoint so one failure does not undo its neighbours.
 */
export async function dispatchBatch(
  trx: HandlerTransaction,
  subscription: Subscription,
  deliveries: Delivery[],
): Promise<Outcome[]> {
  const { group, handler, retry } = subscription;
  if (deliveries.length === 0) return [];
  const ids = deliveries.map((d) => d.event.id);
  const inserted = await sql<{ event_id: string }>`
    insert into bus_processed (group_name, event_id)
    select ${group}, unnest(${ids}::uuid[])
    on conflict do nothing
    returning event_id`.execute(trx);
  const fresh = new Set(inserted.rows.map((row) => row.event_id));

  const outcomes: Outcome[] = [];
  const failed: string[] = [];
  const dead: Array<{ delivery: Delivery; attempts: number; error: string }> = [];
  for (const delivery of deliveries) {
    const { event } = delivery;
    if (!fresh.delete(event.id)) {
      outcomes.push({ kind: 'skipped' });
      continue;
    }
    await sql`savepoint bus_handler`.execute(trx);
    try {
      await handler(event, trx);
      await sql`release savepoint bus_handler`.execute(trx);
      outcomes.push({ kind: 'done' });
    } catch (error) {
      await sql`rollback to savepoint bus_handler`.execute(trx);
      const attempts = delivery.previousAttempts + 1;
      const message = errorText(error);
      failed.push(event.id);
      if (attempts >= retry.maxAttempts) {
        dead.push({ delivery, attempts, error: message });
        outcomes.push({ kind: 'dead', error: message });
      } else {
        outcomes.push({ kind: 'retry', delayMs: retryDelayMs(retry, attempts), error: message });
      }
    }
  }

  if (failed.length > 0) {
    // A failed event is not processed: a retry or a replay must run it again.
    await sql`delete from bus_processed where group_name = ${group} and event_id = any(${failed}::uuid[])`.execute(
      trx,
    );
  }
  if (dead.length > 0) {
    await trx
      .insertInto('bus_dead_letters')
      .values(
        dead.map(({ delivery, attempts, error }) => ({
          id: newId(),
          group_name: group,
          event_id: delivery.event.id,
          event_type: delivery.event.type,
          event: JSON.stringify(delivery.event),
          attempts,
          last_error: error,
        })),
      )
      .execute();
  }
  return outcomes;
}
