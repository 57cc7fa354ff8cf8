import type { Database } from '../db/database.ts';
import { conflict, notFound, serviceUnavailable, validationError } from '../http/errors.ts';
import { type CursorKey, decodeCursor, type Page, toPage } from '../http/pagination.ts';
import { newId } from '../ids.ts';
import type { EventEnvelope } from './events.ts';
import type { Transport } from './transport.ts';

export interface DeadLetter {
  id: string;
  group: string;
  eventId: string;
  eventType: string;
  event: EventEnvelope;
  attempts: number;
  lastError: string;
  failedAt: string;
}

interface DeadLetterRow {
  id: string;
  group_name: string;
  event_id: string;
  event_type: string;
  event: EventEnvelope;
  attempts: number;
  last_error: string;
  failed_at: Date;
}

/**
 * The `bus_dead_letters` row for an event its group gave up on: the dispatcher
 * (attempts used up) and the pruner (no process handles the type any more)
 * write them alike, so a replay reads both the same way.
 */
export function deadLetterRow(group: string, event: EventEnvelope, attempts: number, error: string) {
  return {
    id: newId(),
    group_name: group,
    event_id: event.id,
    event_type: event.type,
    event: JSON.stringify(event),
    attempts,
    last_error: error,
  };
}

const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: row.id,
  group: row.group_name,
  eventId: row.event_id,
  eventType: row.event_type,
  event: row.event,
  attempts: row.attempts,
  lastError: row.last_error,
  failedAt: row.failed_at.toISOString(),
});

/** Deletes one dead letter and returns it; inside a transaction, a rollback puts it back. */
async function take(executor: Database['db'], id: string): Promise<DeadLetterRow> {
  const row = (await executor
    .deleteFrom('bus_dead_letters')
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()) as DeadLetterRow | undefined;
  if (!row) throw notFound('dead letter', id);
  return row;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DeadLetters {
  list(query: { group?: string; limit: number; cursor?: string }): Promise<Page<DeadLetter>>;
  /** Gives the event to its group once more and removes the dead letter, atomically. */
  replay(id: string): Promise<DeadLetter>;
  discard(id: string): Promise<DeadLetter>;
}

export function createDeadLetters(database: Database, transport: () => Transport): DeadLetters {
  const { db } = database;
  return {
    async list({ group, limit, cursor }) {
      // Newest first; ids are UUIDv7, so the id is the time order and the cursor.
      const after = decodeCursor<{ id: string } & CursorKey>(cursor, ['id']);
      if (after && !UUID.test(String(after.id))) throw validationError('cursor is not valid', 'cursor');
      let query = db
        .selectFrom('bus_dead_letters')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (group !== undefined) query = query.where('group_name', '=', group);
      if (after) query = query.where('id', '<', after.id);
      const rows = (await query.execute()) as DeadLetterRow[];
      return toPage(rows.map(toDeadLetter), limit, (row) => ({ id: row.id }));
    },
    async replay(id) {
      return db.transaction().execute(async (trx) => {
        const row = await take(trx, id);
        const replayed = await transport()
          .replay(trx, row.group_name, { id: row.event_id, raw: row.event })
          .catch(() => {
            // The transport (NATS) is unreachable: the dead letter stays, try again later.
            throw serviceUnavailable(5, 'The event bus is unavailable, retry later');
          });
        if (!replayed)
          throw conflict(`Event ${row.event_id} is no longer in the outbox; it cannot be replayed`);
        return toDeadLetter(row);
      });
    },
    async discard(id) {
      return toDeadLetter(await take(db, id));
    },
  };
}
