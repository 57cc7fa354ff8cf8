import { type Kysely, sql } from 'kysely';

// A person's data export and erasure find their invites by inviter_id alone;
// the only index on it was the partial one of pending invites, so both read
// every invite of every user.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index couples_invites_inviter on couples_invites (inviter_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index couples_invites_inviter`.execute(db);
}
