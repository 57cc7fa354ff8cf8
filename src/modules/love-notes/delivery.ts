import { sql } from 'kysely';
import { publish } from '../../platform/bus/publish.ts';
import { newId } from '../../platform/ids.ts';
import { forgetBoxes } from './cache.ts';
import { cancelScheduled } from './closed-couples.ts';
import { bodyContext, type NotesContext } from './context.ts';
import { scheduleDelivery } from './dependencies.ts';
import { deliveredData, noteRef } from './events.ts';
import { liveCreated } from './live.ts';
import { nextOccurrence } from './schedule.ts';
import type { NoteRow, NotesExecutor, NotesTrx } from './tables.ts';

/**
 * Delivers one locked, due note inside the caller's transaction. A one-off
 * note turns `delivered`; a series delivers a new occurrence and moves on to
 * its next time (or ends). The status change and the events commit together,
 * so a crash before the commit delivers nothing and a retry delivers once.
 */
async function deliverLocked(ctx: NotesContext, trx: NotesTrx, note: NoteRow, now: Date): Promise<NoteRow> {
  const options = { actorId: note.sender_id, coupleId: note.couple_id };
  let delivered: NoteRow;
  if (note.kind === 'note') {
    delivered = await trx
      .updateTable('love_notes_notes')
      .set({ status: 'delivered', sent_at: now, delivered_at: now, updated_at: now })
      .where('couple_id', '=', note.couple_id)
      .where('id', '=', note.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  } else {
    const id = newId();
    const text = ctx.platform.encryption.decrypt(note.body, bodyContext(note.id));
    delivered = await trx
      .insertInto('love_notes_notes')
      .values({
        couple_id: note.couple_id,
        id,
        sender_id: note.sender_id,
        recipient_id: note.recipient_id,
        body: ctx.platform.encryption.encrypt(text, bodyContext(id)),
        mood: note.mood,
        template_id: note.template_id,
        status: 'delivered',
        series_id: note.id,
        scheduled_at: note.scheduled_at,
        time_zone: note.time_zone,
        sent_at: now,
        delivered_at: now,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    // A worker that was down skips missed occurrences rather than flooding the inbox.
    const after = new Date(Math.max(new Date(note.scheduled_at as Date).getTime(), now.getTime()));
    const next = nextOccurrence(
      note.recurrence ?? '',
      note.local_start ?? '',
      note.time_zone ?? 'UTC',
      after,
    );
    const series = await trx
      .updateTable('love_notes_notes')
      .set(next ? { scheduled_at: next, updated_at: now } : { status: 'sent', sent_at: now, updated_at: now })
      .where('couple_id', '=', note.couple_id)
      .where('id', '=', note.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (next) await scheduleDelivery(trx, series);
  }
  const ref = noteRef(delivered);
  await publish(
    trx,
    'love-note.delivered',
    deliveredData(ref, delivered.series_id, now.toISOString()),
    options,
  );
  return delivered;
}

/**
 * Delivers one note if it is (still) due and its couple still active: what
 * the delivery job runs. Returns whether it delivered.
 */
export async function deliverNote(ctx: NotesContext, coupleId: string, noteId: string): Promise<boolean> {
  const delivered = await ctx.db.transaction().execute(async (trx) => {
    const now = new Date();
    const note = await trx
      .selectFrom('love_notes_notes')
      .selectAll()
      .where('couple_id', '=', coupleId)
      .where('id', '=', noteId)
      .where('status', '=', 'scheduled')
      .where('paused', '=', false)
      // The database's clock decides, as it decided the job's run_at; a note
      // moved later since has a new job of its own.
      .where('scheduled_at', '<=', sql<Date>`now() + interval '2 seconds'`)
      .forUpdate()
      .executeTakeFirst();
    if (!note) return undefined;
    // Nothing reaches anyone once the couple closed, even before the unlink's consumer ran.
    if (!(await ctx.deps.lockActiveCouples(trx, [coupleId])).has(coupleId)) {
      await cancelScheduled(trx, coupleId, { ids: [noteId] });
      return { withdrawn: note };
    }
    return deliverLocked(ctx, trx, note, now);
  });
  if (delivered && 'withdrawn' in delivered) {
    await forgetBoxes(ctx.platform, [delivered.withdrawn]);
    return false;
  }
  if (delivered) {
    // Before the live push: a client that refetches on it gets the fresh list.
    await forgetBoxes(ctx.platform, [delivered]);
    liveCreated(ctx, delivered);
  }
  return delivered !== undefined;
}

/**
 * The due notes the sweep takes, oldest first, each locked for one sweeper.
 * (Exported for test/modules/generic-plans.test.ts, which checks its generic plan.)
 * The fixed conditions are literals, not parameters: the index of due notes is
 * partial (`status = 'scheduled' and not paused`), and the generic plan of this
 * prepared statement (database.ts `preparingPool`) can only use it when the
 * query states its predicate in literals; with parameters it read every note.
 */
export function dueNotes(db: NotesExecutor, now: Date, limit: number) {
  return db
    .selectFrom('love_notes_notes')
    .selectAll()
    .where('status', '=', sql.lit('scheduled'))
    .where('paused', '=', sql.lit(false))
    .where('scheduled_at', '<=', now)
    .orderBy('scheduled_at')
    .limit(limit)
    .forUpdate()
    .skipLocked();
}

/**
 * Delivers up to `limit` due notes: a sweep any number of workers may run at
 * once (SKIP LOCKED hands each due row to exactly one of them). Notes of a
 * couple that closed are cancelled instead. Returns how many it handled.
 */
export async function deliverDue(ctx: NotesContext, limit = 200): Promise<number> {
  const delivered = await ctx.db.transaction().execute(async (trx) => {
    const now = new Date();
    const due = await dueNotes(trx, now, limit).execute();
    const active = await ctx.deps.lockActiveCouples(
      trx,
      due.map((note) => note.couple_id),
    );
    const rows: NoteRow[] = [];
    const withdrawn: NoteRow[] = [];
    for (const note of due) {
      if (active.has(note.couple_id)) rows.push(await deliverLocked(ctx, trx, note, now));
      else {
        // The couple closed: see deliverNote.
        await cancelScheduled(trx, note.couple_id, { ids: [note.id] });
        withdrawn.push(note);
      }
    }
    return { rows, withdrawn };
  });
  await forgetBoxes(ctx.platform, [...delivered.rows, ...delivered.withdrawn]);
  for (const row of delivered.rows) liveCreated(ctx, row);
  return delivered.rows.length + delivered.withdrawn.length;
}
