import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalAlarmType } from 'ical-generator';
import { DateTime } from 'luxon';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { notFound } from '../../platform/http/errors.ts';
import type { CalendarContext } from './context.ts';
import * as repo from './repo.ts';
import { coupleOrConflict } from './service.ts';
import type { EventRow } from './tables.ts';
import { visibleTo } from './view.ts';

/**
 * Each person's iCal feed. The token is 32 hex characters of the owner's id
 * and 43 of randomness; only its SHA-256 is stored, under the owner's id, so a
 * lookup reads one row by user and compares hashes in constant time. Creating
 * a new token replaces the hash, so the previous address stops working.
 */

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export async function rotateFeed(ctx: CalendarContext, user: AuthUser): Promise<{ url: string }> {
  await coupleOrConflict(ctx, user.id);
  const token = `${user.id.replaceAll('-', '').toLowerCase()}${randomBytes(32).toString('base64url')}`;
  await ctx.db
    .insertInto('calendar_feeds')
    .values({ user_id: user.id, token_hash: hashOf(token), created_at: new Date() })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({ token_hash: hashOf(token), created_at: new Date() }),
    )
    .execute();
  const base = ctx.platform.config.publicUrl ?? `http://localhost:${ctx.platform.config.port}`;
  return { url: `${base}/v1/calendar/feed/${token}.ics` };
}

/** The owner of a feed token, or a 404 that tells nothing (wrong, rotated or deleted alike). */
async function ownerOf(ctx: CalendarContext, token: string): Promise<string> {
  const hex = token.slice(0, 32);
  const userId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const row = await ctx.db
    .selectFrom('calendar_feeds')
    .select('token_hash')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const given = Buffer.from(hashOf(token), 'hex');
  if (!row || !timingSafeEqual(Buffer.from(row.token_hash, 'hex'), given)) throw notFound('Calendar feed');
  return userId;
}

/** A zone ical-generator can describe with a VTIMEZONE; others are written in UTC. */
const describable = (zone: string) => zone !== 'UTC' && getVtimezoneComponent(zone) !== null;

function addEvent(calendar: ReturnType<typeof ical>, row: EventRow): void {
  const zone = describable(row.time_zone) ? row.time_zone : 'UTC';
  const start = DateTime.fromJSDate(row.starts_at, { zone });
  const end = DateTime.fromJSDate(row.ends_at, { zone });
  calendar.createEvent({
    id: `${row.id}@one2one.love`,
    start,
    end,
    allDay: row.all_day,
    timezone: zone === 'UTC' ? null : zone,
    summary: row.title,
    description: row.notes,
    location: row.location,
    // The rule as stored: RRULE text, expanded by the client from DTSTART in TZID.
    repeating: row.recurrence,
    alarms: row.reminders.map((minutes) => ({ type: ICalAlarmType.display, triggerBefore: minutes * 60 })),
    created: row.created_at,
    lastModified: row.updated_at,
    stamp: row.updated_at,
  });
}

/** The feed as its owner may see it now: their couple's events, a partner's unrevealed surprises left out. */
export async function feedText(ctx: CalendarContext, tokenWithExtension: string): Promise<string> {
  const token = tokenWithExtension.replace(/\.ics$/, '');
  const userId = await ownerOf(ctx, token);
  const couple = await ctx.deps.coupleOf(ctx.platform, userId);
  if (!couple) throw notFound('Calendar feed');
  const calendar = ical({
    name: 'One 2 One Love',
    prodId: { company: 'One 2 One Love', product: 'Couple calendar', language: 'EN' },
    // No calendar-wide zone: each event keeps its own TZID, described by a VTIMEZONE.
    timezone: { name: null, generator: getVtimezoneComponent },
  });
  for (const row of await repo.allEvents(ctx.db, { coupleId: couple.coupleId })) {
    if (visibleTo(row, userId)) addEvent(calendar, row);
  }
  return calendar.toString();
}

/** Whether a person has a feed (the token itself cannot be shown again). */
export async function dropFeed(ctx: CalendarContext, userId: string): Promise<void> {
  await ctx.db.deleteFrom('calendar_feeds').where('user_id', '=', userId).execute();
}
