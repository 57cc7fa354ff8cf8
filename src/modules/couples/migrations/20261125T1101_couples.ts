import { type Kysely, sql } from 'kysely';

/**
 * Couples, active memberships and invites. "A person is in at most one active
 * couple" is the primary key of couples_active_members (a user-keyed table),
 * so two simultaneous accepts cannot both commit, whatever the code does.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table couples_couples (
      id uuid primary key,
      user_a uuid,
      user_b uuid,
      status text not null check (status in ('active', 'closed')),
      linked_at timestamptz not null default now(),
      relationship_start date,
      anniversary date,
      nickname_a text,
      nickname_b text,
      closed_at timestamptz,
      closed_by uuid,
      close_reason text,
      read_only_until timestamptz,
      updated_at timestamptz not null default now(),
      check (status = 'active' or read_only_until is not null)
    )`.execute(db);
  await sql`create index couples_couples_user_a on couples_couples (user_a)`.execute(db);
  await sql`create index couples_couples_user_b on couples_couples (user_b)`.execute(db);
  await sql`create index couples_couples_purge on couples_couples (read_only_until) where status = 'closed'`.execute(
    db,
  );

  await sql`
    create table couples_active_members (
      user_id uuid primary key,
      couple_id uuid not null
    )`.execute(db);
  await sql`create index couples_active_members_couple on couples_active_members (couple_id)`.execute(db);

  await sql`
    create table couples_invites (
      code text primary key,
      inviter_id uuid not null,
      status text not null check (status in ('pending', 'accepted', 'declined', 'revoked')),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      responded_at timestamptz,
      responder_id uuid
    )`.execute(db);
  // One active invite per person.
  await sql`create unique index couples_invites_one_pending on couples_invites (inviter_id)
    where status = 'pending'`.execute(db);
  await sql`create index couples_invites_responder on couples_invites (responder_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists couples_invites`.execute(db);
  await sql`drop table if exists couples_active_members`.execute(db);
  await sql`drop table if exists couples_couples`.execute(db);
}
