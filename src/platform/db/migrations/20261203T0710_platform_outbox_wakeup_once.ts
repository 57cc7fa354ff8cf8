import { type Kysely, sql } from 'kysely';

// The outbox wake-up trigger runs per row (a deferred constraint trigger cannot
// run per statement), at commit: a transaction that wrote seven events sent
// seven NOTIFYs (PostgreSQL folds them into one) and ran seven statements. Now
// the first row that takes the try-lock notifies and marks the transaction
// (a transaction-local setting), so the rows after it do nothing.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function outbox_events_notify() returns trigger language plpgsql as $$
    begin
      if current_setting('o2o.outbox_woken', true) is distinct from '1'
        and pg_try_advisory_xact_lock(hashtext('o2o_outbox:notify')) then
        perform pg_notify('o2o_outbox', ''), set_config('o2o.outbox_woken', '1', true);
      end if;
      return null;
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function outbox_events_notify() returns trigger language plpgsql as $$
    begin
      if pg_try_advisory_xact_lock(hashtext('o2o_outbox:notify')) then
        perform pg_notify('o2o_outbox', '');
      end if;
      return null;
    end $$`.execute(db);
}
