import { type Kysely, sql } from 'kysely';

/**
 * Auth stops keeping its own copies of what the users module owns: the
 * display name (the profile's) and the terms consent (users' consent record).
 * A one-off handover, the only time auth touches those tables: names and
 * consents auth held are carried over where users has none, then auth's
 * copies go. Erased accounts are not carried over.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    insert into users_profiles (user_id, display_name)
    select id, display_name from auth_accounts where status <> 'deleted'
    on conflict (user_id) do nothing`.execute(db);
  await sql`
    update users_profiles p set display_name = a.display_name
    from auth_accounts a
    where p.user_id = a.id and p.display_name is null and a.status <> 'deleted'`.execute(db);
  await sql`
    insert into users_consents (user_id, id, type, version, granted, ip, user_agent, recorded_at)
    select t.user_id, gen_random_uuid(), 'terms', t.terms_version, true, t.ip, null, t.accepted_at
    from auth_terms_consents t
    where not exists (
      select 1 from users_consents c
      where c.user_id = t.user_id and c.type = 'terms' and c.version = t.terms_version
    )`.execute(db);
  await sql`drop table auth_terms_consents`.execute(db);
  await sql`alter table auth_accounts drop column display_name`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table auth_accounts add column display_name text`.execute(db);
  await sql`
    update auth_accounts a set display_name = coalesce(p.display_name, split_part(a.email, '@', 1))
    from users_profiles p where p.user_id = a.id`.execute(db);
  await sql`update auth_accounts set display_name = split_part(email, '@', 1) where display_name is null`.execute(
    db,
  );
  await sql`alter table auth_accounts alter column display_name set not null`.execute(db);
  await sql`
    create table auth_terms_consents (
      user_id uuid not null references auth_accounts (id) on delete cascade,
      terms_version text not null,
      accepted_at timestamptz not null default now(),
      ip text,
      constraint auth_terms_consents_pk primary key (user_id, terms_version)
    )`.execute(db);
}
