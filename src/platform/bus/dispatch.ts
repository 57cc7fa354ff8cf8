import { sql } from 'kysely';
import { inConsumerSpan } from '../observability/tracing.ts';
import { dropHooksSince, hookMark } from './after-commit.ts';
import { retryDelayMs } from './backoff.ts';
import { deadLetterRow } from './dead-letters.ts';
import type { Delivery, HandlerTransaction, Outcome, Subscription } from './types.ts';

const MAX_ERROR_LENGTH = 2000;

export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, MAX_ERROR_LENGTH);
}

/** Marks the batch's events processed for the group; returns those not marked before. */
async function markProcessed(trx: HandlerTransaction, group: string, deliveries: Delivery[]) {
  const ids = deliveries.map((d) => d.event.id);
  const inserted = await sql<{ event_id: string }>`
    insert into bus_processed (group_name, event_id)
    select ${group}, unnest(${ids}::uuid[])
    on conflict do nothing
    returning event_id`.execute(trx);
  return new Set(inserted.rows.map((row) => row.event_id));
}

/**
 * Runs a batch of deliveries of one group inside the caller's transaction and
 * decides each one's fate; shared by both transports so they keep one
 * contract. A committed event never runs again for the group (its delivery
 * row deleted, or its id recorded as processed, in the same transaction as the
 * handler's writes: see `redelivery`); a rolled-back one is tried again. One
 * handler's failure does not undo its neighbours in the batch.
 */
export async function dispatchBatch(
  trx: HandlerTransaction,
  subscription: Subscription,
  deliveries: Delivery[],
  /**
   * How a committed event is kept from running again for the group:
   * - `mark` (NATS, at least once: a crash between the commit and the ack
   *   redelivers): each event is recorded in `bus_processed` in this
   *   transaction, and those recorded before are skipped;
   * - `claimed` (PostgreSQL): the caller deleted each delivery's row in this
   *   transaction, so once it commits there is nothing left to deliver again
   *   (a rollback brings the row back); nothing is recorded.
   */
  redelivery: 'mark' | 'claimed' = 'mark',
): Promise<Outcome[]> {
  const { group, retry } = subscription;
  if (deliveries.length === 0) return [];
  // Each handler runs in a span that continues the trace of the request or job that published the event.
  const handle = (delivery: Delivery) =>
    inConsumerSpan(
      `${delivery.event.type} process`,
      delivery.trace,
      {
        'messaging.operation.type': 'process',
        'messaging.destination.name': delivery.event.type,
        'messaging.consumer.group.name': group,
        'messaging.message.id': delivery.event.id,
        'messaging.message.delivery_attempt': delivery.previousAttempts + 1,
      },
      () => subscription.handler(delivery.event, trx),
    );
  const fresh =
    redelivery === 'claimed'
      ? new Set(deliveries.map((d) => d.event.id))
      : await markProcessed(trx, group, deliveries);

  const outcomes: Outcome[] = [];
  const exhausted = new Set<number>();
  const failed: string[] = [];
  const dead: Array<{ delivery: Delivery; attempts: number; error: string }> = [];
  const fail = (delivery: Delivery, error: unknown) => {
    const attempts = delivery.previousAttempts + 1;
    const message = errorText(error);
    failed.push(delivery.event.id);
    if (attempts >= retry.maxAttempts) {
      dead.push({ delivery, attempts, error: message });
      outcomes.push({ kind: 'dead', error: message });
    } else {
      outcomes.push({ kind: 'retry', delayMs: retryDelayMs(retry, attempts), error: message });
    }
  };
  const bury = (delivery: Delivery) => {
    const message = `Delivered ${delivery.previousAttempts + 1} times without finishing: the worker stopped while handling it`;
    failed.push(delivery.event.id);
    dead.push({ delivery, attempts: delivery.previousAttempts + 1, error: message });
    outcomes.push({ kind: 'dead', error: message });
  };
  const runnable = deliveries.map((d) => fresh.delete(d.event.id));
  // Its attempts already used up with no outcome recorded (the worker died while handling
  // it, again and again): a poison event goes to the dead letters instead of killing another.
  deliveries.forEach((delivery, i) => {
    if (!runnable[i] || delivery.previousAttempts < retry.maxAttempts) return;
    runnable[i] = false;
    exhausted.add(i);
  });

  // Fast path: the whole batch under one savepoint, one round trip per handler.
  // Only when a handler throws is the batch rolled back to the savepoint and
  // run again with a savepoint per event; the handler that threw is not run
  // twice for the same attempt.
  // A group's batch handler takes every runnable event in one call; if it throws, nothing
  // says which event failed, so each is run again alone (thrower stays -1: none is skipped).
  await sql`savepoint bus_batch`.execute(trx);
  // After-commit work (after-commit.ts) of handlers whose writes are rolled back is dropped with them.
  const batchMark = hookMark(trx);
  let thrower = -1;
  let thrown: unknown;
  let failedBatch = false;
  if (subscription.batch) {
    const events = deliveries.filter((_, i) => runnable[i]).map((d) => d.event);
    try {
      if (events.length > 0) await subscription.batch(events, trx);
    } catch {
      failedBatch = true;
    }
  } else {
    for (let i = 0; i < deliveries.length; i++) {
      if (!runnable[i]) continue;
      try {
        await handle(deliveries[i]!);
      } catch (error) {
        thrower = i;
        thrown = error;
        break;
      }
    }
  }
  if (thrower === -1 && !failedBatch) {
    await sql`release savepoint bus_batch`.execute(trx);
    runnable.forEach((ok, i) => {
      if (exhausted.has(i)) bury(deliveries[i]!);
      else outcomes.push({ kind: ok ? 'done' : 'skipped' });
    });
  } else {
    await sql`rollback to savepoint bus_batch`.execute(trx);
    dropHooksSince(trx, batchMark);
    for (let i = 0; i < deliveries.length; i++) {
      const delivery = deliveries[i]!;
      if (exhausted.has(i)) {
        bury(delivery);
        continue;
      }
      if (!runnable[i]) {
        outcomes.push({ kind: 'skipped' });
        continue;
      }
      if (i === thrower) {
        fail(delivery, thrown);
        continue;
      }
      await sql`savepoint bus_handler`.execute(trx);
      const handlerMark = hookMark(trx);
      try {
        await handle(delivery);
        await sql`release savepoint bus_handler`.execute(trx);
        outcomes.push({ kind: 'done' });
      } catch (error) {
        await sql`rollback to savepoint bus_handler`.execute(trx);
        dropHooksSince(trx, handlerMark);
        fail(delivery, error);
      }
    }
  }

  if (failed.length > 0 && redelivery === 'mark') {
    // A failed event is not processed: a retry or a replay must run it again.
    await sql`delete from bus_processed where group_name = ${group} and event_id = any(${failed}::uuid[])`.execute(
      trx,
    );
  }
  if (dead.length > 0) {
    await trx
      .insertInto('bus_dead_letters')
      .values(
        dead.map(({ delivery, attempts, error }) => deadLetterRow(group, delivery.event, attempts, error)),
      )
      .execute();
  }
  return outcomes;
}
