import { type Kysely, type QueryCreator, sql, type Transaction } from 'kysely';
import { unnestRows } from '../db/unnest.ts';
import { newId } from '../ids.ts';
import { producerContext } from '../observability/tracing.ts';
import type { EventEnvelope, EventMap, EventType } from './events.ts';

/** Anything that can run the insert: a transaction in domain code, the db in tests. */
// biome-ignore lint/suspicious/noExplicitAny: modules pass their own typed Kysely/Transaction
export type Executor = Kysely<any> | Transaction<any>;

export interface PublishOptions {
  actorId?: string | null;
  coupleId?: string | null;
  version?: number;
}

/** An event ready for the outbox: the envelope consumers will see and the row that stores it. */
export interface OutboxEvent<T extends EventType = EventType> {
  event: EventEnvelope<T>;
  row: {
    id: string;
    type: string;
    version: number;
    occurred_at: string;
    actor_id: string | null;
    couple_id: string | null;
    data: string;
    /** W3C trace context of the span that published it (JSON), null when tracing is off. */
    trace_context: string | null;
  };
}

interface OutboxTables {
  outbox_events: OutboxEvent['row'];
}

export function outboxEvent<T extends EventType>(
  type: T,
  data: EventMap[T],
  options: PublishOptions = {},
): OutboxEvent<T> {
  const event: EventEnvelope<T> = {
    id: newId(),
    type,
    version: options.version ?? 1,
    occurredAt: new Date().toISOString(),
    actorId: options.actorId ?? null,
    coupleId: options.coupleId ?? null,
    data,
  };
  const trace = producerContext(`${type} publish`, {
    'messaging.operation.type': 'send',
    'messaging.destination.name': type,
    'messaging.message.id': event.id,
  });
  return {
    event,
    row: {
      id: event.id,
      type: event.type,
      version: event.version,
      occurred_at: event.occurredAt,
      actor_id: event.actorId,
      couple_id: event.coupleId,
      data: JSON.stringify(event.data),
      trace_context: trace ? JSON.stringify(trace) : null,
    },
  };
}

/**
 * Writes the event to the outbox inside the caller's transaction: a rolled
 * back change publishes nothing, a committed one is relayed even if the
 * process dies right after the commit.
 */
export async function publish<T extends EventType>(
  trx: Executor,
  type: T,
  data: EventMap[T],
  options: PublishOptions = {},
): Promise<EventEnvelope<T>> {
  const { event, row } = outboxEvent(type, data, options);
  await trx.insertInto('outbox_events').values(row).execute();
  return event;
}

/**
 * Writes several events to the outbox in one statement, inside the caller's
 * transaction (same guarantees as `publish`): a handler that announces five
 * outcomes pays one round trip, not five. Always the same statement text
 * (unnest, not a VALUES list), so PostgreSQL plans it once per connection
 * whatever the batch size, and nothing is compiled per call.
 */
export async function publishAll(trx: Executor, events: OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  const batch = unnestRows(
    events.map((e) => e.row),
    {
      id: ['uuid', (r) => r.id],
      type: ['text', (r) => r.type],
      version: ['int', (r) => r.version],
      occurred_at: ['timestamptz', (r) => r.occurred_at],
      actor_id: ['uuid', (r) => r.actor_id],
      couple_id: ['uuid', (r) => r.couple_id],
      data: ['jsonb', (r) => r.data],
      trace_context: ['jsonb', (r) => r.trace_context],
    },
  );
  await sql`insert into outbox_events (${batch.columns}) select * from ${batch.from}`.execute(trx);
}

/**
 * For a change that is a single statement: starts that statement with a CTE
 * that writes `events` to the outbox, e.g.
 * `withEvents(db, [outboxEvent(...)]).insertInto('notes').values(...).returningAll()`.
 * One statement is one transaction, so the change and its events commit
 * together or not at all, in one round trip instead of BEGIN, the change,
 * one insert per event and COMMIT. The events are written whatever the rest
 * of the statement does unless it fails: make a change that may find
 * nothing to do fail (or use `publish` in a transaction) rather than skip.
 */
export function withEvents<DB>(db: Kysely<DB> | Transaction<DB>, events: OutboxEvent[]): QueryCreator<DB> {
  return withEventRows(
    db,
    events.map((e) => e.row),
  );
}

/** `withEvents` for rows already made (or a template's placeholders, `templateEventRows`). */
export function withEventRows<DB>(
  db: Kysely<DB> | Transaction<DB>,
  rows: OutboxEvent['row'][],
): QueryCreator<DB> {
  if (rows.length === 0) return db;
  return (db as unknown as Kysely<OutboxTables>).with('outbox_written', (qb) =>
    qb.insertInto('outbox_events').values(rows),
  ) as unknown as QueryCreator<DB>;
}

const OUTBOX_COLUMNS = [
  'id',
  'type',
  'version',
  'occurred_at',
  'actor_id',
  'couple_id',
  'data',
  'trace_context',
] as const satisfies ReadonlyArray<keyof OutboxEvent['row']>;

/** The parameters `templateEventRows` names: `event0_id`, `event0_type`, … */
export type EventParams = Record<`event${number}_${(typeof OUTBOX_COLUMNS)[number]}`, unknown>;

/**
 * For a statement built once with `queryTemplate` (platform/db/query-template.ts)
 * that writes `count` events with `withEventRows`: their rows as the template's
 * placeholders. Bind the events of each call with `eventParams`.
 */
export function templateEventRows(p: EventParams, count: number): OutboxEvent['row'][] {
  return Array.from(
    { length: count },
    (_, i) =>
      Object.fromEntries(
        OUTBOX_COLUMNS.map((column) => [column, p[`event${i}_${column}`]]),
      ) as OutboxEvent['row'],
  );
}

/** The values of these events for `templateEventRows`' placeholders. */
export function eventParams(events: OutboxEvent[]): EventParams {
  const params: EventParams = {};
  events.forEach(({ row }, i) => {
    for (const column of OUTBOX_COLUMNS) params[`event${i}_${column}`] = row[column];
  });
  return params;
}
