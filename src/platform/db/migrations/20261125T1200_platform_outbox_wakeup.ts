import { type Kysely, sql } from 'kysely';

// The outbox's NOTIFY wakes relays at commit time, but PostgreSQL serialises
// every committing transaction that notified (one global lock, held through
// the commit's WAL flush), which capped writes that publish at about one
// fsync each: ~680 commits/s where plain inserts reach ~9,000 on the same
// disk. Now the wake-up is decided at commit (a deferred trigger) and only one
// committing transaction at a time sends it (a try-lock, never waited on); a
// transaction that skips it commits alongside the one that holds it, whose
// notification wakes the relay, and the relay keeps polling while it finds
// rows. A committed event is never lost either way: the wake-up only affects
// how soon the relay looks, and its poll remains the safety net.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger outbox_events_notify on outbox_events`.execute(db);
  await sql`
    create or replace function outbox_events_notify() returns trigger language plpgsql as $$
    begin
      if pg_try_advisory_xact_lock(hashtext('o2o_outbox:notify')) then
        perform pg_notify('o2o_outbox', '');
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create constraint trigger outbox_events_notify after insert on outbox_events
    deferrable initially deferred for each row execute function outbox_events_notify()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger outbox_events_notify on outbox_events`.execute(db);
  await sql`
    create or replace function outbox_events_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('o2o_outbox', '');
      return null;
    end $$`.execute(db);
  await sql`
    create trigger outbox_events_notify after insert on outbox_events
    for each statement execute function outbox_events_notify()`.execute(db);
}
