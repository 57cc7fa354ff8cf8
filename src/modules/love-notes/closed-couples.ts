import { sql } from 'kysely';
import { afterCommit } from '../../platform/bus/after-commit.ts';
import type { EventEnvelope } from '../../platform/bus/events.ts';
import { conflict, notFound } from '../../platform/http/errors.ts';
import { forgetBoxes } from './cache.ts';
import type { NotesContext } from './context.ts';
import { cancelDelivery } from './dependencies.ts';
import { visibleTo } from './repo.ts';
import type { NoteRow, NotesExecutor, NotesTrx } from './tables.ts';

/**
 * What an unlink means for love notes. Nothing scheduled in a couple reaches
 * anyone once it closes: the `couple.unlinked` consumer cancels its pending
 * notes and series, and a delivery that runs before the consumer finds the
 * couple closed (delivery.ts) and cancels instead of delivering. For the
 * read-only period (30 days) both former partners still list, read and
 * export the couple's notes, but change nothing; `couple.purged` deletes them.
 */

/** Cancels scheduled notes and series of a closed couple, with their delivery jobs. Idempotent. */
export async function cancelScheduled(
  trx: NotesTrx,
  coupleId: string,
  only: { ids?: string[]; createdBefore?: Date } = {},
): Promise<Array<Pick<NoteRow, 'id' | 'sender_id' | 'recipient_id'>>> {
  if (only.ids?.length === 0) return [];
  const cancelled = await cancelScheduledQuery(trx, coupleId, only, new Date()).execute();
  for (const note of cancelled) await cancelDelivery(trx, note.id);
  return cancelled;
}

/**
 * (Exported for test/modules/generic-plans.test.ts, which checks its generic plan.)
 * The status is a literal, not a parameter: the index of pending notes is partial
 * (`status = 'scheduled'`), and only a literal lets the generic plan of this
 * prepared statement (database.ts `preparingPool`) use it to skip the couple's
 * delivered notes.
 */
export function cancelScheduledQuery(
  db: NotesExecutor,
  coupleId: string,
  only: { ids?: string[]; createdBefore?: Date },
  now: Date,
) {
  let query = db
    .updateTable('love_notes_notes')
    .set({ status: 'cancelled', cancelled_at: now, updated_at: now })
    .where('couple_id', '=', coupleId)
    .where('status', '=', sql.lit('scheduled'));
  if (only.ids) query = query.where('id', 'in', only.ids);
  if (only.createdBefore) query = query.where('created_at', '<=', only.createdBefore);
  return query.returning(['id', 'sender_id', 'recipient_id']);
}

/**
 * The `couple.unlinked` consumer. Only notes written before the unlink: the
 * same two people may have linked again (reopening this couple) since.
 */
export async function onCoupleUnlinked(
  ctx: NotesContext,
  event: EventEnvelope<'couple.unlinked'>,
  trx: NotesTrx,
): Promise<void> {
  const cancelled = await cancelScheduled(trx, event.data.coupleId, {
    createdBefore: new Date(event.occurredAt),
  });
  // The senders' scheduled boxes, once the cancellation is visible: done before the commit, a
  // list read in between would be cached as current with the notes still scheduled.
  if (cancelled.length > 0) afterCommit(trx, () => forgetBoxes(ctx.platform, cancelled));
}

/** The `couple.purged` consumer: the couple's read-only period ended, its notes go (reactions by cascade, channel outcomes after them). */
export async function onCouplePurged(
  ctx: NotesContext,
  event: EventEnvelope<'couple.purged'>,
  trx: NotesTrx,
): Promise<void> {
  const purged = await trx
    .deleteFrom('love_notes_notes')
    .where('couple_id', '=', event.data.coupleId)
    .returning(['sender_id', 'recipient_id'])
    .execute();
  // After the notes (see deleteOutcomesOf): every outcome filed under them has committed by now.
  await trx.deleteFrom('love_notes_channel_outcomes').where('couple_id', '=', event.data.coupleId).execute();
  // Both former partners' cached lists (the couple is already gone, so nothing refills them),
  // after the commit as above.
  if (purged.length > 0) afterCommit(trx, () => forgetBoxes(ctx.platform, purged));
}

/** The note as the user sees it in one of their closed couples still in its read-only period. */
export async function readOnlyNote(
  ctx: NotesContext,
  userId: string,
  id: string,
): Promise<NoteRow | undefined> {
  const closed = await ctx.deps.readOnlyCouplesOf(ctx.platform, userId);
  if (closed.length === 0) return undefined;
  return ctx.db
    .selectFrom('love_notes_notes')
    .selectAll()
    .where(
      'couple_id',
      'in',
      closed.map((c) => c.coupleId),
    )
    .where('id', '=', id)
    .where(visibleTo(userId))
    .executeTakeFirst();
}

/** For a change to a note the active couple does not hold: 409 when it is a closed couple's, else 404. */
export async function refuseChange(ctx: NotesContext, userId: string, id: string): Promise<never> {
  if (await readOnlyNote(ctx, userId, id)) {
    throw conflict(
      'This couple is closed: its notes can be read until the read-only period ends, not changed',
    );
  }
  throw notFound('Love note', id);
}
