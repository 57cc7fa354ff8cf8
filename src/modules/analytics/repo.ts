import { type Kysely, sql } from 'kysely';
import { unnestRows } from '../../platform/db/unnest.ts';
import type { AnalyticsDb, AnalyticsTrx } from './tables.ts';

/** One event ready to store: validated, enriched, its properties already JSON text. */
export interface EventRow {
  id: string;
  occurredAt: Date;
  receivedAt: Date;
  event: string;
  source: 'client' | 'server';
  userId: string | null;
  coupleId: string | null;
  platform: string | null;
  appVersion: string | null;
  country: string | null;
  properties: string;
}

// biome-ignore lint/suspicious/noExplicitAny: any module's Kysely or transaction (the bus hands one over)
type Executor = AnalyticsDb | AnalyticsTrx | Kysely<any>;

/**
 * Writes rows in one statement: their ids go into the de-duplication table
 * first (`on conflict do nothing`), and only the ids that were new reach the
 * events table. Returns those new ids; the rest were seen before. Ids must be
 * distinct within `rows` (the buffer keeps the first of each).
 */
export async function insertEvents(db: Executor, rows: EventRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const ids = unnestRows(
    rows,
    { id: ['uuid', (r) => r.id], received_at: ['timestamptz', (r) => r.receivedAt.toISOString()] },
    't',
  );
  const events = unnestRows(
    rows,
    {
      occurred_at: ['timestamptz', (r) => r.occurredAt.toISOString()],
      id: ['uuid', (r) => r.id],
      received_at: ['timestamptz', (r) => r.receivedAt.toISOString()],
      event: ['text', (r) => r.event],
      source: ['text', (r) => r.source],
      user_id: ['uuid', (r) => r.userId],
      couple_id: ['uuid', (r) => r.coupleId],
      platform: ['text', (r) => r.platform],
      app_version: ['text', (r) => r.appVersion],
      country: ['text', (r) => r.country],
      properties: ['jsonb', (r) => r.properties],
    },
    't',
  );
  const { rows: fresh } = await sql<{ id: string }>`
    with fresh as (
      insert into analytics_event_ids (${ids.columns}) select * from ${ids.from}
      on conflict do nothing
      returning id
    ), written as (
      insert into analytics_events (${events.columns}) select * from ${events.from}
      where t.id in (select id from fresh)
    )
    select id from fresh`.execute(db);
  return new Set(fresh.map((r) => r.id));
}

/** Forgets de-duplication ids older than `cutoff`, a slice at a time; returns how many went. */
export async function sweepEventIds(db: AnalyticsDb, cutoff: Date, slice = 50_000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await sql`
      delete from analytics_event_ids where id in (
        select id from analytics_event_ids where received_at < ${cutoff.toISOString()}::timestamptz limit ${slice}
      )`.execute(db);
    const n = Number(result.numAffectedRows ?? 0);
    total += n;
    if (n < slice) return total;
  }
}

/**
 * Rebuilds the rollups of the UTC days [from, to) from the raw events, in one
 * transaction (a reader sees the old rows or the new ones, never a gap).
 */
export async function rebuildRollups(db: AnalyticsDb, from: Date, to: Date): Promise<void> {
  const f = from.toISOString();
  const t = to.toISOString();
  await db.transaction().execute(async (trx) => {
    await sql`delete from analytics_daily_users where day >= ${f}::date and day < ${t}::date`.execute(trx);
    await sql`delete from analytics_daily_counts where day >= ${f}::date and day < ${t}::date`.execute(trx);
    await sql`
      insert into analytics_daily_users (day, user_id, events)
      select (occurred_at at time zone 'UTC')::date, user_id, count(*)::int
      from analytics_events
      where occurred_at >= ${f}::timestamptz and occurred_at < ${t}::timestamptz and user_id is not null
      group by 1, 2`.execute(trx);
    await sql`
      insert into analytics_daily_counts (day, event, platform, app_version, country, events)
      select (occurred_at at time zone 'UTC')::date, event, coalesce(platform, ''), coalesce(app_version, ''),
             coalesce(country, ''), count(*)
      from analytics_events
      where occurred_at >= ${f}::timestamptz and occurred_at < ${t}::timestamptz
      group by 1, 2, 3, 4, 5`.execute(trx);
    await sql`
      insert into analytics_first_seen (user_id, first_day)
      select user_id, min(day) from analytics_daily_users
      where day >= ${f}::date and day < ${t}::date group by user_id
      on conflict (user_id) do update set first_day = least(analytics_first_seen.first_day, excluded.first_day)`.execute(
      trx,
    );
    // Every day, week and month that overlaps the days rebuilt, whole.
    for (const bucket of ['day', 'week', 'month'] as const) {
      const first = sql`date_trunc(${bucket}, ${f}::date::timestamp)::date`;
      const end = sql`(date_trunc(${bucket}, (${t}::date - 1)::timestamp) + ${`1 ${bucket}`}::interval)::date`;
      await sql`delete from analytics_active_users where bucket = ${bucket} and period >= ${first} and period < ${end}`.execute(
        trx,
      );
      await sql`
        insert into analytics_active_users (bucket, period, users)
        select ${bucket}, date_trunc(${bucket}, day::timestamp)::date, count(distinct user_id)::int
        from analytics_daily_users where day >= ${first} and day < ${end}
        group by 2`.execute(trx);
    }
  });
}

/** Everything analytics holds about a person: raw events, the days they were active, their first day. */
export async function eventsOf(db: AnalyticsDb, userId: string) {
  const events = await db
    .selectFrom('analytics_events')
    .select(['id', 'event', 'occurred_at', 'source', 'platform', 'app_version', 'country', 'properties'])
    .where('user_id', '=', userId)
    .orderBy('occurred_at')
    .execute();
  const days = await db
    .selectFrom('analytics_daily_users')
    .select(['day', 'events'])
    .where('user_id', '=', userId)
    .orderBy('day')
    .execute();
  const first = await db
    .selectFrom('analytics_first_seen')
    .select('first_day')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return { events, activeDays: days, firstSeen: first?.first_day ?? null };
}

/** Removes a person's events (their ids stay only as de-duplication keys, which say nothing about them). */
export async function eraseEventsOf(db: AnalyticsDb, userId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('analytics_events').where('user_id', '=', userId).execute();
    await trx.deleteFrom('analytics_daily_users').where('user_id', '=', userId).execute();
    await trx.deleteFrom('analytics_first_seen').where('user_id', '=', userId).execute();
  });
}
