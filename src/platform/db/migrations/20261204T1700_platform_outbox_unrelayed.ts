import { type Kysely, sql } from 'kysely';
import { setQueueAutovacuum } from '../queue-tables.ts';

// The relay found unrelayed rows through a partial index on `relayed_at is
// null` and marked each one relayed. Because the predicate names `relayed_at`,
// that mark could never be a HOT update: it copied the whole row (its JSON
// data included) and added an entry to both of the table's indexes. On the
// note pipeline the relay's statement wrote a third of the WAL per note
// (5.4 of 16.6 kB). Now the positions still to relay are rows of their own,
// `outbox_unrelayed`, which an insert trigger fills (whoever writes the
// outbox: `publish`, `publishAll`, a `withEvents` statement, plain SQL) and
// the relay deletes from; `outbox_events` is written once and never updated.
//
// `relayed_at` stays, filled at insert (default now()), so that a process of
// an earlier version, which relays what has `relayed_at is null`, finds
// nothing new during a rolling deploy and never relays a row twice. The rows
// waiting when this runs move over in one statement: an earlier relay holding
// some of them commits first (the update waits for its locks, then skips the
// rows it marked). The partial index stays for those earlier processes' polls
// (it is empty, and costs an insert nothing); a later migration drops it.
// An earlier NATS relay in the middle of a pass (it locks its rows, publishes,
// then marks them) can deadlock with this migration's table locks; PostgreSQL
// aborts one of the two and either is simply run again (JetStream drops the
// republished copies by id).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table outbox_unrelayed (position bigint primary key)`.execute(db);
  await setQueueAutovacuum(db, 'outbox_unrelayed');
  await sql`
    create function outbox_events_unrelayed() returns trigger language plpgsql as $$
    begin
      insert into outbox_unrelayed (position) select position from written;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger outbox_events_unrelayed after insert on outbox_events
    referencing new table as written for each statement execute function outbox_events_unrelayed()`.execute(
    db,
  );
  await sql`alter table outbox_events alter column relayed_at set default now()`.execute(db);
  await sql`
    with waiting as (
      update outbox_events set relayed_at = now() where relayed_at is null returning position
    )
    insert into outbox_unrelayed (position) select position from waiting`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table outbox_events alter column relayed_at drop default`.execute(db);
  await sql`drop trigger outbox_events_unrelayed on outbox_events`.execute(db);
  await sql`drop function outbox_events_unrelayed()`.execute(db);
  await sql`
    update outbox_events o set relayed_at = null from outbox_unrelayed u where u.position = o.position`.execute(
    db,
  );
  await sql`drop table outbox_unrelayed`.execute(db);
}
