import { type Kysely, sql } from 'kysely';

/**
 * Analytics storage (docs/analytics.md):
 * - `analytics_events`: raw events, partitioned by day on `occurred_at`
 *   (`analytics_events_pYYYYMMDD`, created ahead by the `analytics.partitions`
 *   job; a default partition catches a day not created yet), BRIN on time.
 * - `analytics_event_ids`: the de-duplication key. A unique constraint on a
 *   partitioned table must include the partition key, so one on the events
 *   would only catch a retry with the very same timestamp (a client that lets
 *   the server stamp its events would be counted twice). The ids live in this
 *   small table instead, remembered for ANALYTICS_DEDUPE_HOURS and swept after.
 * - Daily rollups refreshed by the `analytics.rollup` job: who was active each
 *   day (DAU/WAU/MAU, retention) and how many of each event by platform, app
 *   version and country (time series), and distinct active users per day,
 *   week and month.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table analytics_events (
      occurred_at timestamptz not null,
      id uuid not null,
      received_at timestamptz not null,
      event text not null,
      source text not null check (source in ('client', 'server')),
      user_id uuid,
      couple_id uuid,
      platform text,
      app_version text,
      country text,
      properties jsonb not null default '{}'
    ) partition by range (occurred_at)`.execute(db);
  await sql`create table analytics_events_default partition of analytics_events default`.execute(db);
  await sql`create index analytics_events_time on analytics_events using brin (occurred_at)`.execute(db);

  await sql`
    create table analytics_event_ids (
      id uuid primary key,
      received_at timestamptz not null
    )`.execute(db);
  await sql`create index analytics_event_ids_time on analytics_event_ids using brin (received_at)`.execute(
    db,
  );

  await sql`
    create table analytics_daily_users (
      day date not null,
      user_id uuid not null,
      events integer not null,
      primary key (day, user_id)
    )`.execute(db);
  await sql`create index analytics_daily_users_user on analytics_daily_users (user_id, day)`.execute(db);

  await sql`
    create table analytics_daily_counts (
      day date not null,
      event text not null,
      platform text not null,
      app_version text not null,
      country text not null,
      events bigint not null,
      primary key (day, event, platform, app_version, country)
    )`.execute(db);
  // Each user's first active day: the retention cohorts.
  await sql`
    create table analytics_first_seen (
      user_id uuid primary key,
      first_day date not null
    )`.execute(db);
  await sql`create index analytics_first_seen_day on analytics_first_seen (first_day)`.execute(db);
  // Distinct active users per day, ISO week and month (DAU / WAU / MAU), so the query reads a row per bucket.
  await sql`
    create table analytics_active_users (
      bucket text not null check (bucket in ('day', 'week', 'month')),
      period date not null,
      users integer not null,
      primary key (bucket, period)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists analytics_active_users`.execute(db);
  await sql`drop table if exists analytics_first_seen`.execute(db);
  await sql`drop table if exists analytics_daily_counts`.execute(db);
  await sql`drop table if exists analytics_daily_users`.execute(db);
  await sql`drop table if exists analytics_event_ids`.execute(db);
  await sql`drop table if exists analytics_events`.execute(db);
}
