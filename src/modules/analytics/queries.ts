import { type RawBuilder, sql } from 'kysely';
import { validationError } from '../../platform/http/errors.ts';
import type { AnalyticsContext } from './context.ts';
import type { ActiveUsersQuery, EventsQuery, FunnelQuery, Interval, RetentionQuery } from './schemas.ts';

/**
 * The admin queries. Active users, retention and event series read the daily
 * rollups (refreshed by the `analytics.rollup` job, so today's figures lag
 * by its period); funnels read raw events, pruned to the partitions of the
 * range asked.
 */
const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 400;
const MAX_FUNNEL_DAYS = 93;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** The first day of the bucket holding `day`: UTC day, ISO week (Monday) or month. */
export function bucketStart(day: string, interval: Interval): string {
  const ms = dayMs(day);
  if (interval === 'day') return day;
  if (interval === 'week') return isoDay(ms - ((new Date(ms).getUTCDay() + 6) % 7) * DAY_MS);
  return `${day.slice(0, 7)}-01`;
}

/** How many buckets lie between two bucket starts. */
function bucketsBetween(from: string, to: string, interval: Interval): number {
  if (interval === 'month') {
    return (
      (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 +
      Number(to.slice(5, 7)) -
      Number(from.slice(5, 7))
    );
  }
  return Math.round((dayMs(to) - dayMs(from)) / DAY_MS / (interval === 'week' ? 7 : 1));
}

/** `from`..`to` (UTC days, both included), with defaults, checked; `from` snapped to its bucket's start. */
function range(query: { from?: string; to?: string }, interval: Interval, maxDays = MAX_RANGE_DAYS) {
  const to = query.to ?? isoDay(Date.now());
  const from = bucketStart(query.from ?? isoDay(dayMs(to) - 30 * DAY_MS), interval);
  if (Number.isNaN(dayMs(to)) || Number.isNaN(dayMs(from)))
    throw validationError('not a calendar date', 'from');
  if (dayMs(from) > dayMs(to)) throw validationError('`from` must not be after `to`', 'from');
  if (dayMs(to) - dayMs(from) > maxDays * DAY_MS) {
    throw validationError(`the range may cover at most ${maxDays} days`, 'from');
  }
  return { from, to };
}

const trunc = (interval: Interval, column: RawBuilder<unknown>) =>
  sql<string>`to_char(date_trunc(${interval}, ${column}::timestamp), 'YYYY-MM-DD')`;

/** DAU / WAU / MAU: distinct active users per bucket, precomputed by the rollup job. */
export async function activeUsers(ctx: AnalyticsContext, query: ActiveUsersQuery) {
  const interval = query.interval ?? 'day';
  const { from, to } = range(query, interval);
  const { rows } = await sql<{ period: string; users: number }>`
    select to_char(period, 'YYYY-MM-DD') as period, users from analytics_active_users
    where bucket = ${interval} and period >= ${from}::date and period <= ${to}::date and users > 0
    order by period`.execute(ctx.db);
  return { interval, points: rows };
}

/**
 * Cohorts of users by the bucket of their first active day, and how many of
 * each were active in each bucket after (offset 0 is the cohort's own bucket,
 * so it equals the cohort's size). Buckets that have not started are left out.
 */
export async function retention(ctx: AnalyticsContext, query: RetentionQuery) {
  const interval = query.cohort ?? 'week';
  const periods = query.periods ?? 8;
  const { from, to } = range(query, interval);
  // Activity after the last cohort's last tracked bucket cannot count: the join stops there.
  const until = sql`(date_trunc(${interval}, ${to}::date::timestamp) + make_interval(${sql.raw(
    interval === 'day' ? 'days' : interval === 'week' ? 'weeks' : 'months',
  )} => ${periods + 1}))::date`;
  const { rows } = await sql<{ cohort: string; period: string; users: number }>`
    with cohorts as (
      select user_id, date_trunc(${interval}, first_day::timestamp) as cohort
      from analytics_first_seen where first_day >= ${from}::date and first_day <= ${to}::date
    ), activity as (
      select c.cohort, date_trunc(${interval}, d.day::timestamp) as period, c.user_id
      from cohorts c join analytics_daily_users d on d.user_id = c.user_id
      where d.day >= ${from}::date and d.day < ${until}
      group by 1, 2, 3
    )
    select to_char(cohort, 'YYYY-MM-DD') as cohort, to_char(period, 'YYYY-MM-DD') as period, count(*)::int as users
    from activity group by cohort, period order by cohort, period`.execute(ctx.db);
  const current = bucketStart(isoDay(Date.now()), interval);
  const cohorts = new Map<string, number[]>();
  for (const row of rows) {
    const started = Math.min(periods, bucketsBetween(row.cohort, current, interval));
    const retained = cohorts.get(row.cohort) ?? Array.from({ length: started + 1 }, () => 0);
    cohorts.set(row.cohort, retained);
    const offset = bucketsBetween(row.cohort, row.period, interval);
    if (offset >= 0 && offset < retained.length) retained[offset] = row.users;
  }
  return {
    cohort: interval,
    cohorts: [...cohorts].map(([cohort, retained]) => {
      const size = retained[0] ?? 0;
      return { cohort, size, retained, rates: retained.map((n) => (size > 0 ? n / size : 0)) };
    }),
  };
}

// make_interval's own argument names: `mins`, not `minutes`.
const WINDOW_UNITS = { m: 'mins', h: 'hours', d: 'days' } as const;

/**
 * Ordered funnel: users whose first step-1 event falls in the range, then who
 * did step 2 after it, step 3 after that..., each within `window` of their
 * first step. Signed-in events only (anonymous ones have no one to follow).
 */
export async function funnel(ctx: AnalyticsContext, query: FunnelQuery) {
  const steps = query.steps.split(',').map((s) => s.trim());
  if (steps.length < 2 || steps.length > 5 || steps.some((s) => s.length === 0 || s.length > 120)) {
    throw validationError('steps must name 2 to 5 events, comma-separated', 'steps');
  }
  const window = query.window ?? '7d';
  const amount = Number(window.slice(0, -1));
  const unit = WINDOW_UNITS[window.slice(-1) as keyof typeof WINDOW_UNITS];
  const { from, to } = range(query, 'day', MAX_FUNNEL_DAYS);
  const start = new Date(dayMs(from)).toISOString();
  const end = new Date(dayMs(to) + DAY_MS).toISOString();
  const span = sql`make_interval(${sql.raw(unit)} => ${amount})`;
  const ctes = steps.map((step, i) =>
    i === 0
      ? sql`s0 as (
          select user_id, min(occurred_at) as t, min(occurred_at) as t0 from analytics_events
          where event = ${step} and user_id is not null
            and occurred_at >= ${start}::timestamptz and occurred_at < ${end}::timestamptz
          group by user_id)`
      : sql`${sql.raw(`s${i}`)} as (
          select p.user_id, min(e.occurred_at) as t, p.t0
          from ${sql.raw(`s${i - 1}`)} p join analytics_events e on e.user_id = p.user_id
          where e.event = ${step} and e.occurred_at >= p.t and e.occurred_at <= p.t0 + ${span}
            and e.occurred_at >= ${start}::timestamptz and e.occurred_at < ${end}::timestamptz + ${span}
          group by p.user_id, p.t0)`,
  );
  const counts = steps.map(
    (_, i) => sql`(select count(*)::int from ${sql.raw(`s${i}`)}) as ${sql.raw(`c${i}`)}`,
  );
  const { rows } = await sql<Record<string, number>>`
    with ${sql.join(ctes, sql`, `)} select ${sql.join(counts, sql`, `)}`.execute(ctx.db);
  const users = steps.map((_, i) => rows[0]?.[`c${i}`] ?? 0);
  const first = users[0] ?? 0;
  return {
    window,
    steps: steps.map((event, i) => ({
      event,
      users: users[i] ?? 0,
      conversion: first > 0 ? (users[i] ?? 0) / first : 0,
      fromPrevious: i === 0 ? 1 : (users[i - 1] ?? 0) > 0 ? (users[i] ?? 0) / (users[i - 1] ?? 1) : 0,
    })),
  };
}

const KEYS = {
  none: sql`null::text`,
  event: sql`event`,
  platform: sql`nullif(platform, '')`,
  country: sql`nullif(country, '')`,
  appVersion: sql`nullif(app_version, '')`,
} as const;

/** Event counts per bucket, optionally for one event, one series per value of `groupBy`. */
export async function eventSeries(ctx: AnalyticsContext, query: EventsQuery) {
  const interval = query.interval ?? 'day';
  const groupBy = query.groupBy ?? 'none';
  const { from, to } = range(query, interval);
  const { rows } = await sql<{ period: string; key: string | null; events: string }>`
    select ${trunc(interval, sql`day`)} as period, ${KEYS[groupBy]} as key, sum(events)::bigint as events
    from analytics_daily_counts
    where day >= ${from}::date and day <= ${to}::date
      ${query.event === undefined ? sql`` : sql`and event = ${query.event}`}
    group by 1, 2 order by 2 nulls first, 1`.execute(ctx.db);
  const series = new Map<string | null, Array<{ period: string; events: number }>>();
  for (const row of rows) {
    const points = series.get(row.key) ?? [];
    series.set(row.key, points);
    points.push({ period: row.period, events: Number(row.events) });
  }
  return { interval, groupBy, series: [...series].map(([key, points]) => ({ key, points })) };
}
