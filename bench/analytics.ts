import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { upkeepPartitions } from '../src/modules/analytics/partitions.ts';
import { type EventRow, insertEvents, rebuildRollups } from '../src/modules/analytics/repo.ts';
import type { AnalyticsDb } from '../src/modules/analytics/tables.ts';
import { createDatabase } from '../src/platform/db/database.ts';
import { createTestApp } from '../test/support/app.ts';
import { as, newUserId, testAuth } from '../test/support/test-auth.ts';

/**
 * `DATABASE_URL=postgres://… [BENCH_EVENTS=1000000] [ANALYTICS_…=…] node --import tsx bench/analytics.ts [seconds=10] [connections=16] [batch=500]`
 *
 * 1. Ceiling: the flush statement itself (`insertEvents`: de-dup ids + one
 *    multi-row `unnest` insert) straight to PostgreSQL from this process,
 *    without HTTP, validation or group commit, in three shapes (1 or 2
 *    statements of 5,000 rows in flight, or one per connection of `batch`
 *    rows, as if each request wrote its own), before and after the HTTP
 *    phase: the best is the ceiling (rows/s).
 * 2. Sustained ingest through the HTTP batch endpoint (autocannon, batches of
 *    fresh events) counted as committed rows in the table: events/s, and the
 *    ratio to the ceiling measured in the same run.
 * 3. DAU over 90 days: BENCH_EVENTS events spread over 90 days among 50,000
 *    users, rolled up, then GET /v1/admin/analytics/active-users p50/p99
 *    (interval=day and month) and the weekly retention table.
 *
 * The server is a separate process (the real app on a throwaway database,
 * with the test-only x-test-user sign-in), so load generation does not share
 * its event loop.
 */
const [secondsArg, connectionsArg, batchArg] = process.argv[2] === 'server' ? [] : process.argv.slice(2);
const seconds = Number(secondsArg ?? 10);
const connections = Number(connectionsArg ?? 16);
const batchSize = Number(batchArg ?? 500);
const SEED_EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const USERS = 64;
const DAY_MS = 86_400_000;

type Info = { port: number; databaseUrl: string; users: string[]; admin: string };

async function server(): Promise<void> {
  // ANALYTICS_* knobs pass through, so a run can compare flush settings.
  const knobs = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('ANALYTICS_') && !!e[1]),
  );
  const t = await createTestApp(
    { LOG_LEVEL: 'silent', DATABASE_POOL_MAX: '20', ...knobs },
    { routes: testAuth },
  );
  const users = Array.from({ length: USERS }, () => newUserId());
  for (const user of users) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/users/me/consents',
      headers: as(user),
      payload: { type: 'analytics', version: '1', granted: true },
    });
    if (res.statusCode !== 201) throw new Error(res.body);
  }
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.app.server.address() as { port: number }).port;
  process.send?.({ info: { port, databaseUrl: t.database.url, users, admin: newUserId() } satisfies Info });
  process.on('message', async (message: { stop?: boolean }) => {
    if (message.stop) {
      await t.close();
      process.exit(0);
    }
  });
}

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

const benchRow = (event: string, now: Date): EventRow => ({
  id: randomUUID(),
  occurredAt: now,
  receivedAt: now,
  event,
  source: 'client',
  userId: '00000000-0000-4000-8000-000000000001',
  coupleId: null,
  platform: 'ios',
  appVersion: '1.0.0',
  country: 'FR',
  properties: '{"screen":"inbox","n":1}',
});

async function ceiling(db: AnalyticsDb, inFlight: number, rowsEach: number): Promise<number> {
  const deadline = Date.now() + (seconds * 1000) / 2;
  let rows = 0;
  const loop = async () => {
    while (Date.now() < deadline) {
      const now = new Date();
      const batch = Array.from({ length: rowsEach }, () => benchRow('bench.ceiling', now));
      rows += (await insertEvents(db, batch)).size;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, loop));
  return rows / ((performance.now() - started) / 1000);
}

const count = async (db: AnalyticsDb, event: string) =>
  Number(
    (await sql<{ n: string }>`select count(*) as n from analytics_events where event = ${event}`.execute(db))
      .rows[0]?.n ?? 0,
  );

async function main(): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'server'], {
    env: process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const info = await new Promise<Info>((resolve) =>
    child.on('message', (m: { info?: Info }) => m.info && resolve(m.info)),
  );
  const database = createDatabase({ url: info.databaseUrl, poolMax: Math.max(connections, 2) + 1 });
  const db = database.db as AnalyticsDb;
  const base = `http://127.0.0.1:${info.port}`;
  try {
    await upkeepPartitions(database.db, { retentionDays: 120, daysAhead: 2 });

    // The statement in a few shapes, before and after the HTTP phase: the best one is the ceiling.
    const shapes = [
      [1, 5000],
      [2, 5000],
      [connections, batchSize],
    ] as const;
    const measured: string[] = [];
    let rawPerSecond = 0;
    const measure = async (when: string) => {
      for (const [inFlight, rowsEach] of shapes) {
        const rate = await ceiling(db, inFlight, rowsEach);
        rawPerSecond = Math.max(rawPerSecond, rate);
        measured.push(`${inFlight}×${rowsEach} ${when}: ${rate.toFixed(0)}`);
      }
    };
    await measure('before');

    let n = 0;
    const body = () =>
      JSON.stringify({
        events: Array.from({ length: batchSize }, () => ({
          id: randomUUID(),
          event: 'bench.http',
          properties: { screen: 'inbox', n: 1 },
        })),
      });
    const started = performance.now();
    const http = await run({
      url: `${base}/v1/analytics/batch`,
      method: 'POST',
      connections,
      duration: seconds,
      headers: { 'content-type': 'application/json', 'x-app-platform': 'ios', 'cf-ipcountry': 'FR' },
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            n += 1;
            return {
              ...request,
              headers: { ...request.headers, 'x-test-user': `${info.users[n % info.users.length]}:user` },
              body: body(),
            };
          },
        },
      ],
    });
    const elapsed = (performance.now() - started) / 1000;
    const committed = await count(db, 'bench.http');
    await measure('after');
    console.log(
      `ceiling: insertEvents (de-dup + unnest), statements in flight × rows, rows/s: ${measured.join('; ')}`,
    );
    const perSecond = committed / elapsed;
    console.log(
      `http batch (${connections} connections × ${batchSize} events): ${http['2xx']} answers 202, ${http.non2xx} other; ` +
        `${committed} rows committed in ${elapsed.toFixed(1)} s = ${perSecond.toFixed(0)} events/s ` +
        `(${((perSecond / rawPerSecond) * 100).toFixed(0)}% of the ceiling); request p50 ${http.latency.p50} ms, p99 ${http.latency.p99} ms`,
    );

    // DAU over 90 days.
    const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
    const from = new Date(today.getTime() - 89 * DAY_MS);
    await upkeepPartitions(database.db, { retentionDays: 120, daysAhead: 92, now: from });
    const seedStart = performance.now();
    await sql`
      insert into analytics_events (occurred_at, id, received_at, event, source, user_id, platform, country, properties)
      select ${from.toISOString()}::timestamptz + (random() * interval '90 days'), gen_random_uuid(), now(),
             (array['app.opened', 'screen.viewed', 'note.composed'])[1 + (i % 3)], 'client',
             md5((i % 50000)::text)::uuid, (array['ios', 'android', 'web'])[1 + (i % 3)], 'FR', '{}'
      from generate_series(1, ${SEED_EVENTS}) as i`.execute(db);
    const seeded = (performance.now() - seedStart) / 1000;
    const rollStart = performance.now();
    await rebuildRollups(db, from, new Date(today.getTime() + DAY_MS));
    const rolled = (performance.now() - rollStart) / 1000;
    await sql`analyze analytics_daily_users`.execute(db);
    console.log(
      `seeded ${SEED_EVENTS} events over 90 days (50,000 users) in ${seeded.toFixed(1)} s; rollup of 90 days in ${rolled.toFixed(1)} s`,
    );
    const range = `from=${from.toISOString().slice(0, 10)}&to=${today.toISOString().slice(0, 10)}`;
    for (const query of [
      'active-users?interval=day',
      'active-users?interval=month',
      'retention?cohort=week&periods=12',
    ]) {
      const url = `${base}/v1/admin/analytics/${query}&${range}`;
      const heavy = query.startsWith('retention');
      const result = await run({
        url,
        connections: heavy ? 1 : 4,
        duration: seconds,
        timeout: 120,
        headers: { 'x-test-user': `${info.admin}:admin` },
      });
      console.log(
        `${query} over 90 days: ${result.requests.average} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms (${result.non2xx} non-2xx)`,
      );
    }
  } finally {
    await database.close();
    child.send({ stop: true });
  }
}

if (process.argv[2] === 'server') await server();
else await main();
