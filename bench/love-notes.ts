import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { scheduleDelivery } from '../src/modules/love-notes/dependencies.ts';
import { createLoveNotesModule } from '../src/modules/love-notes/index.ts';
import { newId } from '../src/platform/ids.ts';
import { createTestApp } from '../test/support/app.ts';
import { makeCouple, type Pair } from '../test/support/love-notes.ts';
import { testAuth } from '../test/support/test-auth.ts';
import { openLoop } from './support/open-loop.ts';

/**
 * `DATABASE_URL=postgres://… [LOVE_NOTES_SWEEP_MS=…] [JOBS_CONCURRENCY=…] [RESPONSE_CACHE_ENABLED=false] [DATABASE_PREPARED_STATEMENTS=true] [BENCH_DUE=0] [BENCH_HALF_SECONDS=…] node --import tsx bench/love-notes.ts [seconds=10] [connections=32]`
 *
 * 1. POST /v1/love-notes req/s next to pgbench's single-row INSERT tps on the
 *    same PostgreSQL, same client count, in the same run (ratio reported), and
 *    pgbench running the send's own statement (note + two outbox rows) alone.
 * 2. GET /v1/love-notes?box=inbox: max req/s, then p99 at half that rate.
 * 3. 10,000 notes due within one minute: all delivered, delivery-lag p99
 *    (`BENCH_DUE=0` skips it, to measure a send-path change in a minute).
 *
 * The server is a separate process (the real app on a throwaway database,
 * with the test-only x-test-user sign-in) so load generation does not share
 * its event loop.
 */
// `server` is the child's own first argument; the figures are the parent's.
const [secondsArg, connectionsArg] = process.argv[2] === 'server' ? [] : process.argv.slice(2);
const seconds = Number(secondsArg ?? 10);
const connections = Number(connectionsArg ?? 32);
// The half-rate phase outlasts the inbox's cache TTL (60 s), so every entry the
// max phase filled expires inside it and the expiry's misses are in its tail.
// BENCH_HALF_SECONDS shortens it (a quick comparison of two settings).
const HALF_RATE_SECONDS = Number(process.env.BENCH_HALF_SECONDS ?? Math.max(seconds, 65));
// BENCH_TRACE_STALLS=1: stalls, GC pauses and slow half-rate requests on stderr.
const TRACE = Boolean(process.env.BENCH_TRACE_STALLS);
const COUPLES = 200;
// Fixed ids for pgbench's send statement (no such users: nothing reads those rows).
const SENDER = '00000000-0000-7000-8000-000000000001';
const RECIPIENT = '00000000-0000-7000-8000-000000000002';
const COUPLE = '00000000-0000-7000-8000-000000000003';
const NOTE = '00000000-0000-7000-8000-000000000004';

type Info = { port: number; databaseUrl: string; senders: string[]; recipients: string[] };

async function server(): Promise<void> {
  // The delivery knobs pass through, so a run can compare jobs alone with jobs plus a fast sweep.
  const knobs = Object.fromEntries(
    ['LOVE_NOTES_SWEEP_MS', 'JOBS_CONCURRENCY', 'RESPONSE_CACHE_ENABLED', 'DATABASE_PREPARED_STATEMENTS']
      .filter((name) => process.env[name])
      .map((name) => [name, process.env[name] as string]),
  );
  const t = await createTestApp(
    { LOG_LEVEL: 'silent', DATABASE_POOL_MAX: '20', ...knobs },
    { routes: testAuth },
  );
  const pairs: Pair[] = [];
  for (let i = 0; i < COUPLES; i++) pairs.push(await makeCouple(t));
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.app.server.address() as { port: number }).port;
  const info: Info = {
    port,
    databaseUrl: t.database.url,
    senders: pairs.map((p) => p.a),
    recipients: pairs.map((p) => p.b),
  };
  process.send?.({ info });
  if (TRACE) traceStalls();
  let stopWorker: (() => Promise<void>) | undefined;
  process.on('message', async (message: { seedDue?: number; worker?: boolean; stop?: boolean }) => {
    if (message.seedDue) {
      // Scheduled notes spread over the next minute, encrypted like the API writes them.
      const start = Date.now() + 30_000;
      const rows = Array.from({ length: message.seedDue }, (_, i) => {
        const id = newId();
        const pair = pairs[i % pairs.length]!;
        return {
          couple_id: pair.coupleId,
          id,
          sender_id: pair.a,
          recipient_id: pair.b,
          body: t.platform.encryption.encrypt(`due note ${i}`, `love_notes_notes.body:${id}`),
          status: 'scheduled' as const,
          scheduled_at: new Date(start + Math.floor((i / message.seedDue!) * 60_000)),
        };
      });
      // Each with its delivery job, as the API schedules them.
      for (let i = 0; i < rows.length; i += 1000) {
        await t.platform.database.db.transaction().execute(async (trx) => {
          const batch = rows.slice(i, i + 1000);
          await trx.insertInto('love_notes_notes').values(batch).execute();
          for (const row of batch) await scheduleDelivery(trx, row);
        });
      }
      const stopModule = await createLoveNotesModule().worker!(t.platform);
      const stopJobs = await t.platform.jobs.start();
      stopWorker = async () => {
        await stopJobs();
        await stopModule();
      };
      process.send?.({ seeded: true });
    }
    if (message.stop) {
      await stopWorker?.();
      await t.close();
      process.exit(0);
    }
  });
}

/** Logs every event-loop stall over 50 ms with its wall-clock time, and GC pauses over 20 ms. */
function traceStalls(role = 'server'): void {
  const kinds: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weak callbacks' };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      if (entry.duration > 20)
        process.stderr.write(`${role} gc ${kinds[kind] ?? kind} ${entry.duration.toFixed(0)} ms\n`);
    }
  }).observe({ entryTypes: ['gc'] });
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 60)
      process.stderr.write(
        `${role} stall ${(now - last - 10).toFixed(0)} ms ending ${new Date().toISOString()}\n`,
      );
    last = now;
  }, 10).unref();
}

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function sh(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(out))));
  });
}

async function main(): Promise<void> {
  if (TRACE) traceStalls('load generator');
  // BENCH_SERVER_NODE_ARGS: flags for the server's node only (`--cpu-prof` is refused in NODE_OPTIONS).
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', import.meta.filename, 'server'],
    {
      env: process.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const info = await new Promise<Info>((resolve) =>
    child.on('message', (m: { info?: Info }) => m.info && resolve(m.info)),
  );
  const base = `http://127.0.0.1:${info.port}`;
  try {
    // pgbench: one single-row INSERT per transaction, same client count.
    const script = path.join(os.tmpdir(), `o2o-pgbench-${process.pid}.sql`);
    await writeFile(
      script,
      "insert into bench_insert (couple_id, body) values (gen_random_uuid(), repeat('x', 200));\n",
    );
    await sh('psql', [
      info.databaseUrl,
      '-qc',
      'create table bench_insert (id bigint generated always as identity primary key, couple_id uuid not null, body text not null, created_at timestamptz not null default now())',
    ]);
    const pgbench = await sh('pgbench', [
      '-n',
      '-c',
      String(connections),
      '-j',
      '2',
      '-T',
      String(seconds),
      '-f',
      script,
      info.databaseUrl,
    ]);
    const tps = Number(/tps = ([\d.]+)/.exec(pgbench)?.[1]);
    // The statement a send runs (the note and its two outbox events), alone: what PostgreSQL
    // itself allows on this machine before any HTTP or Node work.
    const sendScript = path.join(os.tmpdir(), `o2o-pgbench-send-${process.pid}.sql`);
    const event = (type: string) =>
      `(gen_random_uuid(), '${type}', 1, now(), '${SENDER}', '${COUPLE}', '{"noteId":"${NOTE}","coupleId":"${COUPLE}","senderId":"${SENDER}","recipientId":"${RECIPIENT}"}')`;
    await writeFile(
      sendScript,
      `with outbox_written as (insert into outbox_events (id, type, version, occurred_at, actor_id, couple_id, data) values ${event('love-note.sent')}, ${event('love-note.delivered')}) insert into love_notes_notes (couple_id, id, sender_id, recipient_id, body, mood, created_at, status, kind, sent_at, delivered_at) values (gen_random_uuid(), gen_random_uuid(), '${SENDER}', '${RECIPIENT}', 'v1.bench.' || repeat('x', 80), 'tender', now(), 'delivered', 'note', now(), now()) returning *;\n`,
    );
    const sendSql = await sh('pgbench', [
      '-n',
      '-c',
      String(connections),
      '-j',
      '2',
      '-T',
      String(seconds),
      '-f',
      sendScript,
      info.databaseUrl,
    ]);
    const sendTps = Number(/tps = ([\d.]+)/.exec(sendSql)?.[1]);
    // Its notes are not the API's: out of the inbox phase's way.
    await sh('psql', [info.databaseUrl, '-qc', `delete from love_notes_notes where sender_id = '${SENDER}'`]);

    let n = 0;
    const post = await run({
      url: `${base}/v1/love-notes`,
      method: 'POST',
      connections,
      duration: seconds,
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            n += 1;
            return {
              ...request,
              headers: { ...request.headers, 'x-test-user': info.senders[n % info.senders.length]! },
              body: JSON.stringify({ body: `Thinking of you 💖 #${n}`, mood: 'tender' }),
            };
          },
        },
      ],
    });
    const postRate = post.requests.average;
    console.log(
      `POST /v1/love-notes: ${postRate.toFixed(0)} req/s (p50 ${post.latency.p50} ms, p99 ${post.latency.p99} ms, non2xx ${post.non2xx}); pgbench INSERT: ${tps.toFixed(0)} tps; ratio ${(postRate / tps).toFixed(2)}; pgbench send statement alone: ${sendTps.toFixed(0)} tps (ratio ${(sendTps / tps).toFixed(2)})`,
    );

    let m = 0;
    const inbox = () =>
      run({
        url: `${base}/v1/love-notes?box=inbox&limit=20`,
        connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (request) => {
              m += 1;
              return { ...request, headers: { 'x-test-user': info.recipients[m % info.recipients.length]! } };
            },
          },
        ],
      });
    const max = await inbox();
    // Half of the maximum as an open-loop constant rate (bench/support/open-loop.ts says
    // why not autocannon's overallRate), latency counted from each request's due time.
    const atHalf = (secs: number) =>
      openLoop({
        origin: base,
        path: '/v1/love-notes?box=inbox&limit=20',
        ratePerSecond: Math.max(1, Math.floor(max.requests.average / 2)),
        seconds: secs,
        headers: (i) => ({ 'x-test-user': info.recipients[i % info.recipients.length]! }),
        ...(TRACE ? { reportSlowerThanMs: 200 } : {}),
      });
    if (TRACE) console.log(`half-rate phase starts ${new Date().toISOString()}`);
    await atHalf(2); // warm-up: the pool's connections open, the new rate settles
    const half = await atHalf(HALF_RATE_SECONDS);
    console.log(
      `GET inbox: max ${max.requests.average.toFixed(0)} req/s (p99 ${max.latency.p99} ms); at half (${half.achievedRate} req/s, open loop): p50 ${half.p50} ms, p90 ${half.p90} ms, p99 ${half.p99} ms, max ${half.max} ms, non2xx ${half.non2xx}, errors ${half.errors}`,
    );

    if (process.env.BENCH_DUE === '0') return;
    // 10,000 notes due in the same minute, delivered by the worker's sweep.
    const due = 10_000;
    child.send({ seedDue: due });
    await new Promise<void>((resolve) =>
      child.on('message', (msg: { seeded?: boolean }) => msg.seeded && resolve()),
    );
    const { createDatabase } = await import('../src/platform/db/database.ts');
    const probe = createDatabase({ url: info.databaseUrl, poolMax: 1 });
    try {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const left = await sql<{
          n: number;
        }>`select count(*)::int as n from love_notes_notes where status = 'scheduled'`.execute(probe.db);
        if (left.rows[0]?.n === 0 || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const lag = await sql<{ delivered: number; p50: number; p99: number; max: number }>`
        select count(*)::int as delivered,
          percentile_cont(0.5) within group (order by extract(epoch from delivered_at - scheduled_at)) as p50,
          percentile_cont(0.99) within group (order by extract(epoch from delivered_at - scheduled_at)) as p99,
          max(extract(epoch from delivered_at - scheduled_at)) as max
        from love_notes_notes where scheduled_at is not null and status = 'delivered'`.execute(probe.db);
      const r = lag.rows[0]!;
      console.log(
        `${due} notes due within one minute: ${r.delivered} delivered; lag p50 ${Number(r.p50).toFixed(3)} s, p99 ${Number(r.p99).toFixed(3)} s, max ${Number(r.max).toFixed(3)} s`,
      );
    } finally {
      await probe.close();
    }
  } finally {
    child.send({ stop: true });
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

if (process.argv[2] === 'server') await server();
else await main();
