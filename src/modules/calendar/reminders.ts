import { DateTime } from 'luxon';
import { publish } from '../../platform/bus/publish.ts';
import { cancel, schedule } from '../../platform/jobs/schedule.ts';
import type { CalendarContext } from './context.ts';
import { occurrencesBetween, type Recurring } from './recurrence.ts';
import type { CalendarTrx, EventRow } from './tables.ts';
import { recurringOf, visibleTo } from './view.ts';

/**
 * Reminders: each event with reminders has one keyed job, at its next
 * reminder. The job sends what is due since `reminded_through` (so a late or
 * repeated run sends nothing twice), moves that mark to now and schedules
 * itself at the following reminder, all in one transaction.
 */

export interface Fire {
  at: Date;
  occurrenceStart: Date;
  minutesBefore: number;
}

const MINUTE = 60_000;
const HORIZON = 400 * 86_400_000;

/** Reminders that fire in (after, until], oldest first. */
export function firesBetween(event: Recurring, reminders: number[], after: Date, until: Date): Fire[] {
  if (reminders.length === 0 || until <= after) return [];
  const longest = Math.max(...reminders) * MINUTE;
  const fires: Fire[] = [];
  for (const occurrence of occurrencesBetween(event, after, new Date(until.getTime() + longest + 1))) {
    if (occurrence.start <= after) continue;
    for (const minutesBefore of reminders) {
      const at = new Date(occurrence.start.getTime() - minutesBefore * MINUTE);
      if (at > after && at <= until) fires.push({ at, occurrenceStart: occurrence.start, minutesBefore });
    }
  }
  return fires.sort((x, y) => x.at.getTime() - y.at.getTime() || x.minutesBefore - y.minutesBefore);
}

/** The first reminder after `after` within about a year, or null. */
export function nextFire(event: Recurring, reminders: number[], after: Date): Fire | null {
  if (reminders.length === 0) return null;
  // Widening windows: a daily series answers in the first, a yearly one in the last.
  for (const span of [7 * 86_400_000, 62 * 86_400_000, HORIZON]) {
    const fire = firesBetween(event, reminders, after, new Date(after.getTime() + span))[0];
    if (fire) return fire;
  }
  return null;
}

export const reminderKey = (eventId: string) => `calendar-remind:${eventId}`;

/** Schedules (or drops) the event's reminder job, in the caller's transaction. */
export async function planReminder(trx: CalendarTrx, row: EventRow, after = new Date()): Promise<void> {
  const next = nextFire(recurringOf(row), row.reminders, after);
  if (!next) {
    await cancel(trx, reminderKey(row.id));
    return;
  }
  await schedule(
    trx,
    {
      name: 'calendar.remind',
      payload: { coupleId: row.couple_id, eventId: row.id },
      key: reminderKey(row.id),
    },
    next.at,
  );
}

/** The job: publishes the due reminders of one event to each partner who may see it, then plans the next. */
export async function sendDueReminders(
  ctx: CalendarContext,
  coupleId: string,
  eventId: string,
): Promise<number> {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('calendar_events')
      .selectAll()
      .where('couple_id', '=', coupleId)
      .where('id', '=', eventId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return 0;
    const active = await ctx.deps.lockActiveCouples(trx, [coupleId]);
    if (!active.has(coupleId)) return 0;
    const now = new Date();
    const fires = firesBetween(recurringOf(row), row.reminders, row.reminded_through, now);
    const members = await membersOf(ctx, row);
    for (const fire of fires) {
      const recipients = [];
      for (const userId of members) {
        if (!visibleTo(row, userId, fire.at)) continue;
        const timeZone = await ctx.deps.timeZoneOf(ctx.platform, userId);
        const locale = await ctx.deps.localeOf(ctx.platform, userId);
        const local = DateTime.fromJSDate(fire.occurrenceStart, { zone: timeZone }).setLocale(locale);
        recipients.push({
          userId,
          timeZone,
          localStart: row.all_day
            ? local.toLocaleString(DateTime.DATE_HUGE)
            : local.toLocaleString(DateTime.DATETIME_MED_WITH_WEEKDAY),
        });
      }
      if (recipients.length === 0) continue;
      await publish(
        trx,
        'calendar.reminder-due',
        {
          coupleId,
          eventId,
          title: row.title,
          occurrenceStart: fire.occurrenceStart.toISOString(),
          minutesBefore: fire.minutesBefore,
          recipients,
        },
        { coupleId },
      );
    }
    const updated = await trx
      .updateTable('calendar_events')
      .set({ reminded_through: now })
      .where('couple_id', '=', coupleId)
      .where('id', '=', eventId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await planReminder(trx, updated, now);
    return fires.length;
  });
}

/** Both partners of the event's couple (the author and the partner). */
async function membersOf(ctx: CalendarContext, row: EventRow): Promise<string[]> {
  const members = new Set<string>();
  if (row.author_id) {
    members.add(row.author_id);
    const couple = await ctx.deps.coupleOf(ctx.platform, row.author_id);
    if (couple?.coupleId === row.couple_id && couple.partnerId) members.add(couple.partnerId);
  }
  return [...members];
}
