import { type DateTime, DateTime as Luxon } from 'luxon';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { AppError, notFound, validationError } from '../../platform/http/errors.ts';
import { type IdempotentAnswer, recordAnswer } from '../../platform/http/idempotency.ts';
import { newId } from '../../platform/ids.ts';
import { cancel } from '../../platform/jobs/schedule.ts';
import { forgetMonths } from './cache.ts';
import type { CalendarContext } from './context.ts';
import type { CoupleFacts } from './dependencies.ts';
import { assertRuleFits, checkRule, localText, normalizeUntil, seriesEnd } from './recurrence.ts';
import { planReminder, reminderKey } from './reminders.ts';
import * as repo from './repo.ts';
import type { CreateEventBody, EventView, PatchEventBody } from './schemas.ts';
import type { EventRow } from './tables.ts';
import { checkZone, parseDay, parseTime } from './times.ts';
import { toView, visibleTo } from './view.ts';

/** Calendar events: create, read, change, delete; authorization checks live here. */

export const noPartner = () =>
  new AppError(409, 'CONFLICT', 'The calendar is shared with a partner: link with your partner first');

export async function coupleOrConflict(ctx: CalendarContext, userId: string): Promise<CoupleFacts> {
  const couple = await ctx.deps.coupleOf(ctx.platform, userId);
  if (!couple) throw noPartner();
  return couple;
}

/** Wall times and recurrence of an event, checked together. */
interface Timing {
  allDay: boolean;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  recurrence: string | null;
  recurrenceEndsAt: Date | null;
}

function timingOf(input: {
  allDay: boolean;
  start: string;
  end: string | undefined;
  timeZone: string;
  recurrence: string | null;
  /** Without an end: keep this span (a moved event keeps its length). */
  span?: { ms: number; days: number };
}): Timing {
  const { allDay, timeZone } = input;
  let start: DateTime;
  let end: DateTime;
  if (allDay) {
    start = parseDay(input.start, timeZone, 'start');
    end =
      input.end === undefined
        ? start.plus({ days: input.span?.days ?? 1 })
        : parseDay(input.end, timeZone, 'end').plus({ days: 1 });
    if (end <= start) throw validationError('end must not be before start', 'end');
  } else {
    start = parseTime(input.start, timeZone, 'start');
    end =
      input.end === undefined
        ? start.plus(input.span ? { milliseconds: input.span.ms } : { hours: 1 })
        : parseTime(input.end, timeZone, 'end');
    if (end < start) throw validationError('end must not be before start', 'end');
  }
  if (end.diff(start, 'days').days > 366) throw validationError('an event lasts at most a year', 'end');
  const recurrence =
    input.recurrence === null ? null : normalizeUntil(checkRule(input.recurrence), timeZone, allDay);
  const timing = {
    allDay,
    startsAt: start.toJSDate(),
    endsAt: end.toJSDate(),
    timeZone,
    recurrence,
    recurrenceEndsAt: null as Date | null,
  };
  return timing;
}

/** Checks a new rule (in a worker, with a deadline) before anything expands it, then finds where its series ends. */
/** A checked timing as the event row's columns (create writes them all, update when the timing changed). */
const timingColumns = (timing: Timing) => ({
  all_day: timing.allDay,
  starts_at: timing.startsAt,
  ends_at: timing.endsAt,
  time_zone: timing.timeZone,
  recurrence: timing.recurrence,
  recurrence_ends_at: timing.recurrenceEndsAt,
});

async function checked(timing: Timing): Promise<Timing> {
  await assertRuleFits(timing);
  return { ...timing, recurrenceEndsAt: seriesEnd(timing) };
}

function surpriseOf(surprise: boolean, revealAt: string | null | undefined, startsAt: Date): Date | null {
  if (!surprise) return null;
  if (revealAt === undefined || revealAt === null) return startsAt;
  const at = new Date(revealAt);
  if (Number.isNaN(at.getTime())) throw validationError('revealAt must be a date-time', 'revealAt');
  return at;
}

export async function createEvent(
  ctx: CalendarContext,
  user: AuthUser,
  input: CreateEventBody,
  idempotency?: IdempotentAnswer,
): Promise<EventView> {
  const couple = await coupleOrConflict(ctx, user.id);
  const timeZone = checkZone(input.timeZone ?? (await ctx.deps.timeZoneOf(ctx.platform, user.id)));
  const timing = await checked(
    timingOf({
      allDay: input.allDay ?? false,
      start: input.start,
      end: input.end,
      timeZone,
      recurrence: input.recurrence ?? null,
    }),
  );
  const surprise = input.surprise ?? false;
  if (!surprise && input.revealAt !== undefined)
    throw validationError('revealAt is only for surprises', 'revealAt');
  const view = await ctx.db.transaction().execute(async (trx) => {
    const row = await repo.insertEvent(trx, {
      couple_id: couple.coupleId,
      id: newId(),
      author_id: user.id,
      title: input.title,
      notes: input.notes ?? null,
      location: input.location ?? null,
      ...timingColumns(timing),
      reminders: [...(input.reminders ?? [])].sort((a, b) => a - b),
      surprise,
      reveal_at: surpriseOf(surprise, input.revealAt, timing.startsAt),
    });
    await planReminder(trx, row);
    const view = toView(row);
    if (idempotency) await recordAnswer(trx, idempotency, 201, view);
    return view;
  });
  // After the commit, before the answer: both partners' cached months (cache.ts).
  await forgetMonths(ctx.platform, [user.id, couple.partnerId]);
  return view;
}

/** The event if the caller may see it; 404 otherwise (a hidden surprise looks like nothing). */
async function visibleEvent(
  ctx: CalendarContext,
  userId: string,
  id: string,
): Promise<{ row: EventRow; couple: CoupleFacts }> {
  const couple = await coupleOrConflict(ctx, userId);
  const row = await repo.findEvent(ctx.db, { coupleId: couple.coupleId }, id);
  if (!row || !visibleTo(row, userId)) throw notFound('Calendar event', id);
  return { row, couple };
}

export async function getEvent(ctx: CalendarContext, user: AuthUser, id: string): Promise<EventView> {
  return toView((await visibleEvent(ctx, user.id, id)).row);
}

/** Only the author changes a surprise (the partner cannot see it before its reveal anyway). */
function assertMayChange(row: EventRow, userId: string): void {
  if (row.surprise && row.author_id !== userId) {
    throw new AppError(403, 'FORBIDDEN', 'Only its author changes a surprise');
  }
}

export async function updateEvent(
  ctx: CalendarContext,
  user: AuthUser,
  id: string,
  input: PatchEventBody,
): Promise<EventView> {
  const { row: current, couple } = await visibleEvent(ctx, user.id, id);
  assertMayChange(current, user.id);
  const allDay = input.allDay ?? current.all_day;
  const timeZone = input.timeZone === undefined ? current.time_zone : checkZone(input.timeZone);
  const timesChanged =
    input.start !== undefined ||
    input.end !== undefined ||
    input.allDay !== undefined ||
    input.timeZone !== undefined ||
    input.recurrence !== undefined;
  if (input.allDay !== undefined && input.allDay !== current.all_day && input.start === undefined) {
    throw validationError('give start (and end) again when allDay changes', 'start');
  }
  // Unchanged bounds are given again as they are shown: the date of an all-day event, the instant otherwise.
  const keep = (at: Date) => localText(at, current.time_zone, current.all_day);
  const unchecked = timesChanged
    ? timingOf({
        allDay,
        start: input.start ?? keep(current.starts_at),
        end:
          input.end ??
          (input.start === undefined
            ? keep(current.all_day ? new Date(current.ends_at.getTime() - 1) : current.ends_at)
            : undefined),
        ...(allDay === current.all_day ? { span: spanOf(current) } : {}),
        timeZone,
        recurrence: input.recurrence === undefined ? current.recurrence : input.recurrence,
      })
    : undefined;
  const timing = unchecked && (await checked(unchecked));
  const surprise = input.surprise ?? current.surprise;
  const startsAt = timing?.startsAt ?? current.starts_at;
  const revealAt = surprise
    ? input.revealAt === undefined
      ? (current.reveal_at ?? startsAt)
      : surpriseOf(true, input.revealAt, startsAt)
    : null;
  if (!surprise && input.revealAt !== undefined && input.revealAt !== null)
    throw validationError('revealAt is only for surprises', 'revealAt');
  const view = await ctx.db.transaction().execute(async (trx) => {
    const row = await repo.updateEvent(trx, { coupleId: current.couple_id }, id, {
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.notes !== undefined ? { notes: input.notes } : {}),
      ...(input.location !== undefined ? { location: input.location } : {}),
      ...(timing ? timingColumns(timing) : {}),
      ...(input.reminders !== undefined ? { reminders: [...input.reminders].sort((a, b) => a - b) } : {}),
      surprise,
      reveal_at: revealAt,
      // Reminders already past are not sent again for the changed event.
      reminded_through: new Date(),
      updated_at: new Date(),
    });
    if (!row) throw notFound('Calendar event', id);
    await planReminder(trx, row);
    return toView(row);
  });
  await forgetMonths(ctx.platform, [user.id, couple.partnerId]);
  return view;
}

/** How long an event lasts: in time, and in local days for all-day events. */
function spanOf(row: EventRow): { ms: number; days: number } {
  const ms = row.ends_at.getTime() - row.starts_at.getTime();
  const days = Math.round(
    Luxon.fromJSDate(row.ends_at, { zone: row.time_zone })
      .diff(Luxon.fromJSDate(row.starts_at, { zone: row.time_zone }), 'days')
      .as('days'),
  );
  return { ms, days };
}

export async function deleteEvent(ctx: CalendarContext, user: AuthUser, id: string): Promise<null> {
  const { row: current, couple } = await visibleEvent(ctx, user.id, id);
  assertMayChange(current, user.id);
  await ctx.db.transaction().execute(async (trx) => {
    await repo.deleteEvent(trx, { coupleId: current.couple_id }, id);
    await cancel(trx, reminderKey(id));
  });
  await forgetMonths(ctx.platform, [user.id, couple.partnerId]);
  return null;
}
