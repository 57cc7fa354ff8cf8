import { type Kysely, sql } from 'kysely';

/**
 * Every process fills its set of revoked sessions at start and on every reconnect with the
 * sessions revoked within an access token's lifetime (`revoked_at > now - ttl`, revocations.ts):
 * without an index that is a scan of every session ever made. Partial: only revoked rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index auth_sessions_revoked_at on auth_sessions (revoked_at) where revoked_at is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index auth_sessions_revoked_at`.execute(db);
}
