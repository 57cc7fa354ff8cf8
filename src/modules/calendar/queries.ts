import { DateTime } from 'luxon';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { validationError } from '../../platform/http/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { nextReveal } from './cache.ts';
import type { CalendarContext } from './context.ts';
import { occurrencesBetween } from './recurrence.ts';
import * as repo from './repo.ts';
import type { EventView, MonthQuery, MonthView, OccurrenceView } from './schemas.ts';
import { coupleOrConflict } from './service.ts';
import type { EventRow } from './tables.ts';
import { checkZone } from './times.ts';
import { occurrenceView, recurringOf, toView, visibleTo } from './view.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every occurrence the viewer may see in [from, to), by start: recurring events expanded in their own zone. */
export function expand(
  rows: EventRow[],
  viewerId: string,
  from: Date,
  to: Date,
  now = new Date(),
): OccurrenceView[] {
  const result: Array<{ at: number; view: OccurrenceView }> = [];
  for (const row of rows) {
    if (!visibleTo(row, viewerId, now)) continue;
    for (const occurrence of occurrencesBetween(recurringOf(row), from, to)) {
      result.push({ at: occurrence.start.getTime(), view: occurrenceView(row, occurrence) });
    }
  }
  return result
    .sort((a, b) => a.at - b.at || (a.view.eventId < b.view.eventId ? -1 : 1))
    .map((entry) => entry.view);
}

/** The design's `calendar(month, year)`: the month in the caller's zone (or `timeZone`), occurrences expanded. */
export async function monthOf(ctx: CalendarContext, user: AuthUser, query: MonthQuery): Promise<MonthView> {
  return (await monthAndLifetime(ctx, user, query)).view;
}

/**
 * The month, and for the response cache when it turns wrong without any
 * write (cache.ts `nextReveal`: a surprise hidden from the caller is revealed).
 */
export async function monthAndLifetime(
  ctx: CalendarContext,
  user: AuthUser,
  query: MonthQuery,
): Promise<{ view: MonthView; endsAt: Date | undefined }> {
  const couple = await coupleOrConflict(ctx, user.id);
  const zone = checkZone(query.timeZone ?? (await ctx.deps.timeZoneOf(ctx.platform, user.id)));
  const start = DateTime.fromObject({ year: query.year, month: query.month, day: 1 }, { zone });
  if (!start.isValid) throw validationError('month and year do not make a month', 'month');
  const from = start.toJSDate();
  const to = start.plus({ months: 1 }).toJSDate();
  const now = new Date();
  // The primary while the month is cached (a partner's miss just after the other's write would
  // otherwise keep a lagging replica's answer for the whole TTL), a replica when it is not.
  const rows = await repo.eventsOverlapping(ctx.reader, { coupleId: couple.coupleId }, from, to);
  const view = {
    year: query.year,
    month: query.month,
    timeZone: zone,
    from: from.toISOString(),
    to: to.toISOString(),
    occurrences: expand(rows, user.id, from, to, now),
  };
  return { view, endsAt: nextReveal(rows, user.id, now) };
}

export async function listEvents(
  ctx: CalendarContext,
  user: AuthUser,
  query: { limit?: number; cursor?: string },
): Promise<Page<EventView>> {
  const couple = await coupleOrConflict(ctx, user.id);
  const limit = query.limit ?? 20;
  const after = decodeCursor<{ startsAt: string; id: string }>(query.cursor, ['startsAt', 'id']);
  if (after && (Number.isNaN(new Date(String(after.startsAt)).getTime()) || !UUID.test(String(after.id))))
    throw validationError('cursor is not valid', 'cursor');
  const rows = await repo.pageEvents(ctx.db, { coupleId: couple.coupleId }, user.id, after, limit + 1);
  const page = toPage(rows, limit, (row) => ({ startsAt: row.starts_at.toISOString(), id: row.id }));
  return { items: page.items.map(toView), nextCursor: page.nextCursor };
}
