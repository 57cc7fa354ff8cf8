import { type Kysely, sql } from 'kysely';

/**
 * Server-to-server API keys. The secret is never stored: `secret_hash` is
 * SHA-256 of the whole key (high-entropy, so a fast hash is enough; see
 * secrets.ts), `prefix` is the part shown in lists and used for lookup.
 * A small operational table (one row per integration), not user-scoped.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table api_keys_keys (
      id uuid primary key,
      prefix text not null unique,
      secret_hash bytea not null,
      name text not null,
      scopes text[] not null,
      rate_limit_per_minute integer not null,
      created_by uuid,
      created_at timestamptz not null default now(),
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz,
      rotated_from uuid
    )`.execute(db);
  await sql`create index api_keys_keys_created_by on api_keys_keys (created_by)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists api_keys_keys`.execute(db);
}
