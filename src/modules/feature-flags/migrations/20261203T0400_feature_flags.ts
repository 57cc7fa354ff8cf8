import { type Kysely, sql } from 'kysely';

/**
 * Flag definitions and their audit trail. Flags are a small reference table
 * (tens of rows, read whole by every process's provider), keyed by the flag
 * key. The audit keeps who changed what, before and after, written in the
 * transaction of the change. The two flags the code reads are seeded with
 * the values the code assumed before flags existed: the coach on for
 * everyone, the new inbox off.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table feature_flags_flags (
      key text primary key check (key ~ '^[a-z][a-z0-9.-]{1,62}$'),
      description text not null default '',
      enabled boolean not null default true,
      default_value boolean not null default false,
      rollout_percentage smallint not null default 0 check (rollout_percentage between 0 and 100),
      allow_users uuid[] not null default '{}',
      deny_users uuid[] not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      updated_by uuid
    )`.execute(db);

  await sql`
    create table feature_flags_audit (
      id uuid primary key,
      flag_key text not null,
      action text not null check (action in ('created', 'updated', 'deleted')),
      actor_id uuid,
      before jsonb,
      after jsonb,
      occurred_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index feature_flags_audit_key on feature_flags_audit (flag_key, id)`.execute(db);
  await sql`create index feature_flags_audit_actor on feature_flags_audit (actor_id)`.execute(db);

  await sql`
    insert into feature_flags_flags (key, description, enabled, default_value, rollout_percentage) values
      ('coach', 'The AI relationship coach (off: its message, conversation and suggestion routes answer 503)', true, false, 100),
      ('new-inbox', 'The web app''s new love-notes inbox', true, false, 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists feature_flags_audit`.execute(db);
  await sql`drop table if exists feature_flags_flags`.execute(db);
}
