import { type Kysely, sql } from 'kysely';

/**
 * Profiles, handles, preferences, consents, exports and erasure audit. Every
 * user-scoped table carries `user_id` in its primary key; the handle table is
 * keyed by the handle itself, so uniqueness never needs a cross-shard check.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table users_profiles (
      user_id uuid primary key,
      handle text,
      display_name text,
      birthday date,
      pronouns text,
      time_zone text not null default 'UTC',
      locale text not null default 'en',
      love_languages text[] not null default '{}',
      bio text,
      discoverable boolean not null default false,
      avatar jsonb,
      status text not null default 'active' check (status in ('active', 'suspended', 'deleted')),
      suspended_at timestamptz,
      suspension_reason text,
      deleted_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  // Search: prefix on the handle, trigram similarity on handle and display name,
  // over the rows search may return only.
  await sql`create index users_profiles_handle_prefix on users_profiles (lower(handle) text_pattern_ops)
    where discoverable and status = 'active'`.execute(db);
  await sql`create index users_profiles_handle_trgm on users_profiles using gin (lower(handle) gin_trgm_ops)
    where discoverable and status = 'active'`.execute(db);
  await sql`create index users_profiles_name_trgm on users_profiles using gin (lower(display_name) gin_trgm_ops)
    where discoverable and status = 'active'`.execute(db);

  await sql`
    create table users_handles (
      handle_key text primary key,
      user_id uuid not null
    )`.execute(db);
  await sql`create index users_handles_user on users_handles (user_id)`.execute(db);

  await sql`
    create table users_preferences (
      user_id uuid primary key,
      preferences jsonb not null,
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table users_consents (
      user_id uuid not null,
      id uuid not null,
      type text not null,
      version text not null,
      granted boolean not null,
      ip text,
      user_agent text,
      recorded_at timestamptz not null default now(),
      primary key (user_id, id)
    )`.execute(db);

  await sql`
    create table users_exports (
      user_id uuid not null,
      id uuid not null,
      status text not null check (status in ('pending', 'running', 'ready', 'failed')),
      progress integer not null default 0,
      storage_key text,
      error text,
      created_at timestamptz not null default now(),
      completed_at timestamptz,
      expires_at timestamptz,
      primary key (user_id, id)
    )`.execute(db);
  // One export in flight per person.
  await sql`create unique index users_exports_one_running on users_exports (user_id)
    where status in ('pending', 'running')`.execute(db);

  await sql`
    create table users_erasures (
      id uuid primary key,
      subject_hash text not null,
      requested_at timestamptz not null default now(),
      completed_at timestamptz,
      modules text[] not null default '{}'
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'users_erasures',
    'users_exports',
    'users_consents',
    'users_preferences',
    'users_handles',
    'users_profiles',
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
