import { sql } from 'kysely';
import type { EventMap } from '../../platform/bus/events.ts';
import type { NotesExecutor, NotesTrx } from './tables.ts';

type Outcome = EventMap['notification.delivery-updated'];

/** State only moves forward; failed and suppressed are ends, but a late delivery receipt beats a failure. */
const RANK: Record<Outcome['status'], number> = {
  pending: 0,
  sent: 1,
  failed: 2,
  suppressed: 2,
  delivered: 3,
};

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
    where exists (
      select 1 from love_notes_notes
      where couple_id = ${coupleId}::uuid and id = ${noteId}::uuid and recipient_id = ${outcome.userId}::uuid
    )
    on conflict (couple_id, note_id, channel) do update
      set status = excluded.status, rank = excluded.rank, reason = excluded.reason, at = excluded.at, updated_at = now()
      where excluded.rank > love_notes_channel_outcomes.rank
         or (excluded.rank = love_notes_channel_outcomes.rank and excluded.at >= love_notes_channel_outcomes.at)
  `.execute(trx);
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
