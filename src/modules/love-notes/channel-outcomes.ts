import { type RawBuilder, sql } from 'kysely';
import type { EventMap } from '../../platform/bus/events.ts';
import { unnestRows } from '../../platform/db/unnest.ts';
import type { NotesExecutor, NotesTrx } from './tables.ts';

type Outcome = EventMap['notification.delivery-updated'];
type Outcomes = EventMap['notification.deliveries-updated'];

/**
 * One outcome per delivery of a `notification.deliveries-updated` (a
 * notification's channels that changed together), in the shape of the
 * `notification.delivery-updated` that carried one each before it.
 */
export function outcomesIn(event: Outcomes): Outcome[] {
  return (event.deliveries ?? []).map((d) => ({
    notificationId: event.notificationId,
    deliveryId: d.deliveryId,
    userId: event.userId,
    kind: event.kind,
    channel: d.channel,
    status: d.status,
    reason: d.reason,
    at: event.at,
    data: event.data,
  }));
}

/** State only moves forward; failed and suppressed are ends, but a late delivery receipt beats a failure. */
const RANK: Record<Outcome['status'], number> = {
  pending: 0,
  sent: 1,
  failed: 2,
  suppressed: 2,
  delivered: 3,
};

/**
 * The recipient of a note, looked up by its primary key once per outcome. A
 * correlated scalar subquery and not `exists (…)`: PostgreSQL turns an
 * `exists` into a join, and the generic plan of this prepared statement,
 * made while the notes table was small, hashed every note of the month's
 * partition for each batch (5.5 ms a batch at 40,000 notes, growing with the
 * table). A subquery can only run per outcome, through the key.
 *
 * `for key share` stands in for a foreign key (dropped: its per-row check cost
 * ten times the insert, migration 20261204T1400): a note being deleted makes
 * the insert wait for that commit and then find no note (the outcome is
 * dropped), and a note locked here cannot be deleted before this transaction
 * commits, so the delete's own removal of its outcomes
 * (`deleteOutcomesOf`) sees every outcome filed under it.
 */
const noteRecipient = (coupleId: RawBuilder<unknown>, noteId: RawBuilder<unknown>) =>
  sql`(select n.recipient_id from love_notes_notes n where n.couple_id = ${coupleId} and n.id = ${noteId} for key share)`;

/**
 * Files one `notification.delivery-updated` under its note: the row for that
 * channel moves to the new status unless it already holds a later one (events
 * arrive out of order and more than once). An outcome for a note that is gone
 * (purged, erased) or for another kind of notification is dropped.
 */
export async function recordOutcome(trx: NotesTrx, outcome: Outcome): Promise<void> {
  const { noteId, coupleId } = outcome.data;
  const rank = RANK[outcome.status];
  if (outcome.kind !== 'love-note.received' || !noteId || !coupleId || rank === undefined) return;
  await sql`
    insert into love_notes_channel_outcomes (couple_id, note_id, channel, status, rank, reason, at)
    select ${coupleId}::uuid, ${noteId}::uuid, ${outcome.channel}, ${outcome.status}, ${rank}, ${outcome.reason}, ${outcome.at}::timestamptz
    where ${noteRecipient(sql`${coupleId}::uuid`, sql`${noteId}::uuid`)} = ${outcome.userId}::uuid
    on conflict (couple_id, note_id, channel) do update
      set status = excluded.status, rank = excluded.rank, reason = excluded.reason, at = excluded.at, updated_at = now()
      where excluded.rank > love_notes_channel_outcomes.rank
         or (excluded.rank = love_notes_channel_outcomes.rank and excluded.at >= love_notes_channel_outcomes.at)
  `.execute(trx);
}

/**
 * `recordOutcome` for many outcomes in one statement. Several outcomes of one
 * channel of one note in the same call are folded first into the one that
 * applying them in order would leave (the highest rank, then the latest
 * time, the later one on a tie), since one statement cannot update a row twice.
 */
export async function recordOutcomes(trx: NotesTrx, outcomes: Outcome[]): Promise<void> {
  const kept = new Map<string, Outcome>();
  for (const outcome of outcomes) {
    const { noteId, coupleId } = outcome.data;
    const rank = RANK[outcome.status];
    if (outcome.kind !== 'love-note.received' || !noteId || !coupleId || rank === undefined) continue;
    const key = `${coupleId}/${noteId}/${outcome.channel}`;
    const held = kept.get(key);
    if (held) {
      // Kept only after the rank check above, so its rank is defined.
      const heldRank = RANK[held.status] as number;
      if (heldRank > rank || (heldRank === rank && Date.parse(held.at) > Date.parse(outcome.at))) continue;
    }
    kept.set(key, outcome);
  }
  if (kept.size === 0) return;
  await outcomesUpsert([...kept.values()]).execute(trx);
}

/**
 * The statement `recordOutcomes` runs for outcomes already folded (one per
 * note and channel). Exported for test/modules/love-notes-outcomes-plan.test.ts,
 * which checks its generic plan.
 */
export function outcomesUpsert(rows: Outcome[]) {
  const batch = unnestRows(rows, {
    couple_id: ['uuid', (r) => r.data.coupleId],
    note_id: ['uuid', (r) => r.data.noteId],
    channel: ['text', (r) => r.channel],
    status: ['text', (r) => r.status],
    rank: ['int', (r) => RANK[r.status]],
    reason: ['text', (r) => r.reason],
    at: ['timestamptz', (r) => r.at],
    user_id: ['uuid', (r) => r.userId],
  });
  return sql`
    insert into love_notes_channel_outcomes (couple_id, note_id, channel, status, rank, reason, at)
    select u.couple_id, u.note_id, u.channel, u.status, u.rank, u.reason, u.at
    from ${batch.from}
    where ${noteRecipient(sql.ref('u.couple_id'), sql.ref('u.note_id'))} = u.user_id
    on conflict (couple_id, note_id, channel) do update
      set status = excluded.status, rank = excluded.rank, reason = excluded.reason, at = excluded.at, updated_at = now()
      where excluded.rank > love_notes_channel_outcomes.rank
         or (excluded.rank = love_notes_channel_outcomes.rank and excluded.at >= love_notes_channel_outcomes.at)
  `;
}

export async function outcomesOf(db: NotesExecutor, scope: { coupleId: string }, noteId: string) {
  return db
    .selectFrom('love_notes_channel_outcomes')
    .select(['channel', 'status', 'reason', 'at'])
    .where('couple_id', '=', scope.coupleId)
    .where('note_id', '=', noteId)
    .orderBy('at')
    .orderBy('channel')
    .execute();
}

/**
 * Removes the outcomes of deleted notes: what the foreign key's cascade did.
 * Run after the notes' delete in the same transaction: by then every insert
 * that locked one of those notes has committed (the delete waited for it), and
 * this statement, with a snapshot of its own, sees what it filed.
 */
export async function deleteOutcomesOf(trx: NotesTrx, notes: Array<{ couple_id: string; id: string }>) {
  if (notes.length === 0) return;
  await sql`
    delete from love_notes_channel_outcomes o
    using unnest(${notes.map((n) => n.couple_id)}::uuid[], ${notes.map((n) => n.id)}::uuid[]) as gone(couple_id, note_id)
    where o.couple_id = gone.couple_id and o.note_id = gone.note_id
  `.execute(trx);
}
