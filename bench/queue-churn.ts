import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { appEnv, runToEnd, startApp } from './idle.ts';
import { startOwnPostgres } from './support/own-postgres.ts';

/**
 * `npm run bench -- queue-churn [--blocks 8] [--notes 2000]`
 *
 * What the soak's drift came from, without the HTTP load: the bus's own statements (relay claim and
 * fan-out, each group's claim and delete, as in platform/bus/postgres-transport.ts) run for
 * `--blocks` blocks of `--notes` notes (9 outbox events per note, the soak's mix of event types) on a
 * PostgreSQL of the bench's own, once with autovacuum off (as on this machine's shared server) and
 * once on (the queue tables' own settings apply). Per block it prints the time, the queue tables'
 * dead rows, and the buffers the relay's claim reads when nothing is waiting: with autovacuum off
 * its partial index keeps an entry for every row ever relayed, and each pass walks them.
 */
const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const BLOCKS = option('blocks', 8);
const NOTES = option('notes', 2000);

// The subscriptions a `worker` registers for the note's events (one group each, as in the soak).
const SUBSCRIPTIONS: Array<[string, string]> = [
  ['love-notes', 'notification.delivery-updated'],
  ['notifications', 'love-note.sent'],
  ['notifications', 'notification.created'],
  ['analytics', 'love-note.delivered'],
];

const CHURN = `
create procedure bench_churn(notes int) language plpgsql as $$
declare g text; n int;
begin
  for i in 1..notes/10 loop
    insert into outbox_events (id, type, data)
    select gen_random_uuid(), t, '{}'::jsonb
    from generate_series(1, 10), unnest(array['love-note.sent','love-note.delivered','notification.created',
      'notification.delivery-updated','notification.delivery-updated','notification.delivery-updated',
      'notification.delivery-updated','notification.delivery-updated','notification.delivery-updated']) t;
    commit;
    with claimed as (
      select position, type from outbox_events where relayed_at is null order by position limit 500
      for update skip locked
    ), fanned as (
      insert into bus_deliveries (group_name, position)
      select s.group_name, c.position from claimed c join bus_subscriptions s on s.event_type = c.type returning 1
    ) update outbox_events o set relayed_at = now() from claimed c where o.position = c.position;
    commit;
    for g in select distinct group_name from bus_subscriptions loop
      loop
        with claim as (
          select d.id from bus_deliveries d join outbox_events o on o.position = d.position
          where d.group_name = g and d.run_at <= now() order by d.run_at, d.id limit 50 for update of d skip locked
        ) delete from bus_deliveries where id in (select id from claim);
        get diagnostics n = row_count;
        commit;
        exit when n < 50;
      end loop;
    end loop;
  end loop;
end $$`;

async function run(autovacuum: 'on' | 'off'): Promise<void> {
  const postgres = await startOwnPostgres({ autovacuum });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-churn-'));
  try {
    const url = await postgres.createDatabase('churn');
    await runToEnd(startApp('migrate', appEnv(url, dataDir)));
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      for (const [group, type] of SUBSCRIPTIONS) {
        await db.query('insert into bus_subscriptions (group_name, event_type) values ($1, $2)', [
          group,
          type,
        ]);
      }
      await db.query(CHURN);
      console.log(`autovacuum ${autovacuum}: block | seconds | dead outbox/deliveries | relay claim buffers`);
      for (let b = 1; b <= BLOCKS; b++) {
        const start = performance.now();
        await db.query('call bench_churn($1)', [NOTES]);
        const seconds = (performance.now() - start) / 1000;
        await db.query('select pg_stat_clear_snapshot()');
        const dead = await db.query<{ relname: string; dead: string }>(
          `select relname, n_dead_tup as dead from pg_stat_user_tables
           where relname in ('outbox_events', 'bus_deliveries') order by relname desc`,
        );
        const plan = await db.query<{ 'QUERY PLAN': string }>(
          `explain (analyze, buffers, timing off) select position from outbox_events
           where relayed_at is null order by position limit 500 for update skip locked`,
        );
        const buffers = /shared hit=(\d+)/.exec(plan.rows.map((r) => r['QUERY PLAN']).join('\n'))?.[1] ?? '?';
        console.log(
          `  ${b} | ${seconds.toFixed(1)} | ${dead.rows.map((r) => r.dead).join('/')} | ${buffers}`,
        );
      }
    } finally {
      await db.end();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await postgres.stop();
  }
}

export async function main(): Promise<void> {
  await run('off');
  await run('on');
}
