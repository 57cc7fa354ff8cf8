import type { Static } from 'typebox';
import {
  type EventParams,
  eventParams,
  outboxEvent,
  type PublishOptions,
  publish,
  templateEventRows,
  withEventRows,
} from '../../platform/bus/publish.ts';
import { queryTemplate } from '../../platform/db/query-template.ts';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { conflict, forbidden, notFound, validationError } from '../../platform/http/errors.ts';
import { type IdempotentAnswer, recordAnswer } from '../../platform/http/idempotency.ts';
import { newId } from '../../platform/ids.ts';
import { rememberBody } from './bodies.ts';
import { forgetBoxes } from './cache.ts';
import { refuseChange } from './closed-couples.ts';
import { bodyContext, type NotesContext } from './context.ts';
import type { CoupleFacts } from './dependencies.ts';
import { cancelDelivery, scheduleDelivery } from './dependencies.ts';
import { deliveredData, type LoveNoteRef } from './events.ts';
import { liveCreated } from './live.ts';
import { findNote, lockAndCountPending, reactionsOf } from './repo.ts';
import {
  assertSchedulable,
  assertTimeZone,
  localStart,
  MAX_PENDING,
  nextOccurrence,
  parseRecurrence,
  wallClock,
} from './schedule.ts';
import type { PatchNoteBody, SendNoteBody } from './schemas.ts';
import type { NoteRow, NotesDb, NotesTrx } from './tables.ts';
import { fillNoteText, templateBody } from './templates.ts';
import { type NoteView, toView, viewOf, WRITTEN_COLUMNS, type WrittenRow } from './view.ts';

type Partnered = CoupleFacts & { partnerId: string };

/** The caller's couple with a partner in it, or a 409 saying what to do. */
export async function requireCouple(ctx: NotesContext, userId: string): Promise<Partnered> {
  const couple = await ctx.deps.coupleOf(ctx.platform, userId);
  if (!couple?.partnerId) {
    throw conflict('You have no partner to send love notes to yet: link with your partner first');
  }
  return couple as Partnered;
}

/** The active couple whose notes the caller may change; else 409 for a closed couple's note, or 404. */
async function coupleScope(ctx: NotesContext, userId: string, noteId: string) {
  const couple = await ctx.deps.coupleOf(ctx.platform, userId);
  if (!couple) return refuseChange(ctx, userId, noteId);
  return couple;
}

interface Timing {
  scheduledAt: Date;
  timeZone: string;
  localStart: string;
  recurrence: string | null;
}

/** Works out when a note goes: a one-off local or absolute time, or the first occurrence of a rule. */
async function timingOf(
  ctx: NotesContext,
  userId: string,
  input: { scheduledAt?: string; timeZone?: string; recurrence?: string | null },
): Promise<Timing | null> {
  if (input.scheduledAt === undefined) {
    if (input.recurrence)
      throw validationError('recurrence needs scheduledAt, its first time', 'scheduledAt');
    return null;
  }
  const zone = assertTimeZone(input.timeZone ?? (await ctx.deps.timeZoneOf(ctx.platform, userId)));
  const start = localStart(input.scheduledAt, zone);
  const recurrence = input.recurrence ? parseRecurrence(input.recurrence) : null;
  const wall = wallClock(start);
  const first = recurrence
    ? nextOccurrence(recurrence, wall, zone, new Date(start.toMillis() - 1000))
    : start.toJSDate();
  if (!first) throw validationError('recurrence has no occurrence from scheduledAt', 'recurrence');
  assertSchedulable(first);
  return { scheduledAt: first, timeZone: zone, localStart: wall, recurrence };
}

async function assertPendingRoom(trx: NotesTrx, senderId: string): Promise<void> {
  if ((await lockAndCountPending(trx, senderId)) >= MAX_PENDING) {
    throw conflict(`You already have ${MAX_PENDING} scheduled notes waiting; cancel one first`);
  }
}

type NewNote = Pick<
  NoteRow,
  'couple_id' | 'id' | 'sender_id' | 'recipient_id' | 'body' | 'mood' | 'template_id' | 'created_at'
>;

/**
 * A note sent now: the note and its event (`love-note.delivered`) in one statement, built once and
 * then only bound (queryTemplate): it runs on every send.
 */
const insertDelivered = queryTemplate((db: NotesDb, p: NewNote & EventParams) =>
  withEventRows(db, templateEventRows(p, 1))
    .insertInto('love_notes_notes')
    .values({
      couple_id: p.couple_id,
      id: p.id,
      sender_id: p.sender_id,
      recipient_id: p.recipient_id,
      body: p.body,
      mood: p.mood,
      template_id: p.template_id,
      created_at: p.created_at,
      status: 'delivered',
      kind: 'note',
      sent_at: p.created_at,
      delivered_at: p.created_at,
    })
    .returning(WRITTEN_COLUMNS),
);

/**
 * A note sent now and its `love-note.delivered` event, in one statement. A module-level function, not a
 * closure in `sendNote`: tsx keeps function names by wrapping each closure as it is created, which on
 * every send cost a defineProperty (about 2 µs).
 */
async function insertSent(
  db: NotesContext['db'] | NotesTrx,
  values: NewNote,
  ref: LoveNoteRef,
  options: PublishOptions,
): Promise<WrittenRow> {
  const events = eventParams([
    outboxEvent('love-note.delivered', deliveredData(ref, null, values.created_at.toISOString()), options),
  ]);
  // Object.assign, not `{ ...values, ...events }`: V8 builds a spread of two objects through
  // fresh hidden classes each call (bench/object-spread.ts).
  const { rows } = await insertDelivered(db, Object.assign(events, values));
  if (!rows[0]) throw new Error('the note insert returned no row');
  return rows[0];
}

export async function sendNote(
  ctx: NotesContext,
  user: AuthUser,
  input: Static<typeof SendNoteBody>,
  /** The request's Idempotency-Key: the answer is recorded in the same transaction as the note. */
  idempotency?: IdempotentAnswer,
): Promise<{ note: NoteView; scheduled: boolean }> {
  const couple = await requireCouple(ctx, user.id);
  let text = input.body;
  if (input.templateId !== undefined) text ??= await templateBody(ctx, user.id, input.templateId);
  if (text === undefined) throw validationError('body is required (or a templateId)', 'body');
  const timing = await timingOf(ctx, user.id, input);
  if (input.templateId !== undefined || input.variables !== undefined) {
    const when = timing ? { at: timing.scheduledAt, zone: timing.timeZone } : { at: new Date() };
    text = await fillNoteText(ctx, user.id, couple, text, input.variables ?? {}, when);
    if (text.length > 5000) throw validationError('body is longer than 5000 characters once filled', 'body');
  }
  const id = newId();
  const now = new Date();
  const sealed = ctx.platform.encryption.encrypt(text, bodyContext(id));
  const values: NewNote = {
    couple_id: couple.coupleId,
    id,
    sender_id: user.id,
    recipient_id: couple.partnerId,
    body: sealed,
    mood: input.mood ?? null,
    template_id: input.templateId ?? null,
    created_at: now,
  };
  const ref = { noteId: id, coupleId: couple.coupleId, senderId: user.id, recipientId: couple.partnerId };
  const options = { actorId: user.id, coupleId: couple.coupleId };
  let row: WrittenRow;
  if (timing) {
    row = await ctx.db.transaction().execute(async (trx) => {
      await assertPendingRoom(trx, user.id);
      const inserted = await trx
        .insertInto('love_notes_notes')
        .values({
          ...values,
          status: 'scheduled',
          kind: timing.recurrence ? 'series' : 'note',
          scheduled_at: timing.scheduledAt,
          time_zone: timing.timeZone,
          local_start: timing.localStart,
          recurrence: timing.recurrence,
        })
        .returning(WRITTEN_COLUMNS)
        .executeTakeFirstOrThrow();
      await publish(
        trx,
        'love-note.scheduled',
        { ...ref, scheduledAt: timing.scheduledAt.toISOString(), recurring: timing.recurrence !== null },
        options,
      );
      await scheduleDelivery(trx, inserted);
      if (idempotency) await recordAnswer(trx, idempotency, 202, viewOf(inserted, user.id, text));
      return inserted;
    });
  } else {
    // The hot path: the note and its two events in one statement (one round trip, no
    // BEGIN/COMMIT); with an Idempotency-Key, in a transaction with the recorded answer.
    row = idempotency
      ? await ctx.db.transaction().execute(async (trx) => {
          const inserted = await insertSent(trx, values, ref, options);
          await recordAnswer(trx, idempotency, 201, viewOf(inserted, user.id, text));
          return inserted;
        })
      : await insertSent(ctx.db, values, ref, options);
  }
  rememberBody(ctx.platform.encryption, id, sealed, text);
  await forgetBoxes(ctx.platform, [row]);
  if (!timing) liveCreated(ctx, row, text);
  return { note: viewOf(row, user.id, text), scheduled: timing !== null };
}

/** What the recipient may see: the same rule as `visibleTo` in repo.ts. */
const recipientSees = (row: NoteRow) =>
  row.kind === 'note' && row.delivered_at !== null && !row.hidden_by_recipient && row.status !== 'cancelled';

/** Loads a note for a change by its sender, locked for the transaction. */
async function ownNoteForUpdate(
  ctx: NotesContext,
  trx: NotesTrx,
  userId: string,
  id: string,
): Promise<NoteRow> {
  const couple = await coupleScope(ctx, userId, id);
  const row = await findNote(trx, couple, id, { forUpdate: true });
  if (!row || (row.sender_id !== userId && row.recipient_id !== userId)) return refuseChange(ctx, userId, id);
  if (row.sender_id === userId) return row;
  // A note its recipient cannot see yet (a surprise still scheduled) does not exist for them: 404
  // as on GET, not a 403 that would confirm it.
  if (!recipientSees(row)) throw notFound('Love note', id);
  throw forbidden('Only the sender can change this note');
}

async function withReactions(ctx: NotesContext, row: NoteRow, viewerId: string): Promise<NoteView> {
  const reactions = await reactionsOf(ctx.db, { coupleId: row.couple_id }, [row.id]);
  return toView(row, viewerId, ctx.platform.encryption, reactions.get(row.id));
}

export async function updateScheduled(
  ctx: NotesContext,
  user: AuthUser,
  id: string,
  input: Static<typeof PatchNoteBody>,
): Promise<NoteView> {
  const row = await ctx.db.transaction().execute(async (trx) => {
    const note = await ownNoteForUpdate(ctx, trx, user.id, id);
    if (note.status !== 'scheduled') throw conflict('Only a note that is still scheduled can be edited');
    const timingChanged =
      input.scheduledAt !== undefined || input.timeZone !== undefined || input.recurrence !== undefined;
    let timing: Timing | null = null;
    if (timingChanged) {
      timing = await timingOf(ctx, user.id, {
        scheduledAt: input.scheduledAt ?? note.local_start ?? undefined,
        timeZone: input.timeZone ?? note.time_zone ?? undefined,
        recurrence: input.recurrence === undefined ? note.recurrence : input.recurrence,
      });
      if (!timing) throw validationError('scheduledAt is required', 'scheduledAt');
      if (note.series_id !== null && timing.recurrence)
        throw validationError('An occurrence cannot recur', 'recurrence');
    }
    const updated = await trx
      .updateTable('love_notes_notes')
      .set({
        ...(input.body !== undefined
          ? { body: ctx.platform.encryption.encrypt(input.body, bodyContext(id)) }
          : {}),
        ...(input.mood !== undefined ? { mood: input.mood } : {}),
        ...(timing
          ? {
              scheduled_at: timing.scheduledAt,
              time_zone: timing.timeZone,
              local_start: timing.localStart,
              recurrence: timing.recurrence,
              kind: timing.recurrence ? 'series' : 'note',
            }
          : {}),
        updated_at: new Date(),
      })
      .where('couple_id', '=', note.couple_id)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (timing && !updated.paused) await scheduleDelivery(trx, updated);
    return updated;
  });
  await forgetBoxes(ctx.platform, [row]);
  return withReactions(ctx, row, user.id);
}

/** Pauses or resumes a recurring series; resuming skips occurrences missed while paused. */
export async function setPaused(
  ctx: NotesContext,
  user: AuthUser,
  id: string,
  paused: boolean,
): Promise<NoteView> {
  const row = await ctx.db.transaction().execute(async (trx) => {
    const note = await ownNoteForUpdate(ctx, trx, user.id, id);
    if (note.kind !== 'series') throw conflict('Only a recurring series can be paused or resumed');
    if (note.status !== 'scheduled') throw conflict('This series has ended or was cancelled');
    if (note.paused === paused) return note;
    let scheduledAt = note.scheduled_at;
    if (!paused && scheduledAt !== null && new Date(scheduledAt) <= new Date()) {
      scheduledAt = nextOccurrence(
        note.recurrence ?? '',
        note.local_start ?? '',
        note.time_zone ?? 'UTC',
        new Date(),
      );
    }
    const updated = await trx
      .updateTable('love_notes_notes')
      .set({
        paused,
        ...(scheduledAt === null ? { status: 'sent' as const } : { scheduled_at: scheduledAt }),
        updated_at: new Date(),
      })
      .where('couple_id', '=', note.couple_id)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (paused || updated.status !== 'scheduled') await cancelDelivery(trx, id);
    else await scheduleDelivery(trx, updated);
    return updated;
  });
  await forgetBoxes(ctx.platform, [row]);
  return withReactions(ctx, row, user.id);
}

/**
 * DELETE: the sender cancels a scheduled note or unsends an unread one; the
 * recipient hides it from their inbox. A read note cannot be unsent.
 */
export async function removeNote(ctx: NotesContext, user: AuthUser, id: string): Promise<null> {
  const couple = await coupleScope(ctx, user.id, id);
  const removed = await ctx.db.transaction().execute(async (trx) => {
    const note = await findNote(trx, couple, id, { forUpdate: true });
    const mine = note && (note.sender_id === user.id || note.recipient_id === user.id);
    if (!note || !mine) return refuseChange(ctx, user.id, id);
    const where = { couple_id: note.couple_id, id };
    if (note.sender_id === user.id) {
      if (note.status === 'cancelled') return note;
      if (note.status === 'read') throw conflict('Your partner already read this note; it cannot be unsent');
      await trx
        .updateTable('love_notes_notes')
        .set({ status: 'cancelled', cancelled_at: new Date(), updated_at: new Date() })
        .where('couple_id', '=', where.couple_id)
        .where('id', '=', id)
        .execute();
      if (note.scheduled_at !== null) await cancelDelivery(trx, id);
      return note;
    }
    if (note.delivered_at === null || note.status === 'cancelled') throw notFound('Love note', id);
    await trx
      .updateTable('love_notes_notes')
      .set({ hidden_by_recipient: true, updated_at: new Date() })
      .where('couple_id', '=', where.couple_id)
      .where('id', '=', id)
      .execute();
    return note;
  });
  await forgetBoxes(ctx.platform, [removed]);
  return null;
}
