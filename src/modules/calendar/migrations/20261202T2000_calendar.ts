import { type Kysely, sql } from 'kysely';

/**
 * The couple's calendar events and each person's iCal feed token (a hash).
 * Events are couple-scoped (couple_id leads the primary key); feeds are
 * user-scoped, and the token carries its owner's id, so a lookup is by
 * user_id and no unique index crosses the distribution key.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table calendar_events (
      couple_id uuid not null,
      id uuid not null,
      author_id uuid,
      title text not null,
      notes text,
      location text,
      all_day boolean not null default false,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      time_zone text not null,
      recurrence text,
      recurrence_ends_at timestamptz,
      reminders integer[] not null default '{}',
      surprise boolean not null default false,
      reveal_at timestamptz,
      reminded_through timestamptz not null default now(),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (couple_id, id),
      check (ends_at >= starts_at),
      check (not surprise or reveal_at is not null)
    )`.execute(db);
  await sql`create index calendar_events_span on calendar_events (couple_id, starts_at)`.execute(db);
  await sql`create index calendar_events_author on calendar_events (author_id)`.execute(db);

  await sql`
    create table calendar_feeds (
      user_id uuid primary key,
      token_hash text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists calendar_feeds`.execute(db);
  await sql`drop table if exists calendar_events`.execute(db);
}
