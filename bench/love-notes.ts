import { type ChildProcess, spawn } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { scheduleDelivery } from '../src/modules/love-notes/dependencies.ts';
import { createLoveNotesModule } from '../src/modules/love-notes/index.ts';
import { newId } from '../src/platform/ids.ts';
import { generateKeySpec } from '../src/platform/security/field-encryption.ts';
import { createTestApp } from '../test/support/app.ts';
import { makeCouple, type Pair } from '../test/support/love-notes.ts';
import { testAuth } from '../test/support/test-auth.ts';
import { middle } from './support/middle.ts';
import { startNaivePeer } from './support/mixed-stack.ts';
import { openLoop } from './support/open-loop.ts';
import { createInsertTable, pgbench, SINGLE_ROW_INSERT, sh } from './support/pgbench.ts';
import { postEach } from './support/post-each.ts';
import { processCpuSeconds } from './support/process-cpu.ts';

/**
 * `DATABASE_URL=postgres://… [LOVE_NOTES_SWEEP_MS=…] [JOBS_CONCURRENCY=…] [DATABASE_PREPARED_STATEMENTS=…] [BENCH_DUE=0] [BENCH_HALF_SECONDS=…] node --import tsx bench/love-notes.ts [seconds=10] [connections=32] [--rounds 3]`
 *
 * Issue 24's targets 2 and 3, against the naive Fastify + pg peer
 * (support/naive-peer.ts) on the same database, side by side: per round, in
 * alternating order, `POST /v1/love-notes` against the peer's one-row insert
 * (target ≥ 0.6×), then the inbox (`GET /v1/love-notes?box=inbox&limit=20`)
 * uncached (a second app on the same database with RESPONSE_CACHE_ENABLED=false)
 * and cached against the peer's 20-row select (targets ≥ 0.7× and ≥ 2×).
 * Prints every round and the medians of the rounds (`--rounds`, or BENCH_ROUNDS).
 * Before the rounds, once: pgbench's single-row INSERT tps and pgbench running
 * the send's own statement (note + two outbox rows) alone.
 * After them: the cached inbox's p99 at half of its maximum (open loop; 0 s of
 * BENCH_HALF_SECONDS skips it), and 10,000 notes due within one minute: all
 * delivered, delivery-lag p99 (`BENCH_DUE=0` skips it).
 *
 * The apps run in a separate process (the real app on a throwaway database,
 * with the test-only x-test-user sign-in), the peer in another, so load
 * generation shares neither's event loop.
 */
// `server` is the child's own first argument; the figures are the parent's.
const positional =
  process.argv[2] === 'server'
    ? []
    : process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const [secondsArg, connectionsArg] = positional;
const seconds = Number(secondsArg ?? 10);
const connections = Number(connectionsArg ?? 32);
const roundsAt = process.argv.indexOf('--rounds');
const ROUNDS = Number(roundsAt === -1 ? (process.env.BENCH_ROUNDS ?? 3) : process.argv[roundsAt + 1]);
// The half-rate phase outlasts the inbox's cache TTL (60 s), so every entry the
// max phase filled expires inside it and the expiry's misses are in its tail.
// BENCH_HALF_SECONDS shortens it (a quick comparison of two settings), 0 skips it.
const HALF_RATE_SECONDS = Number(process.env.BENCH_HALF_SECONDS ?? Math.max(seconds, 65));
// BENCH_PHASES=send,uncached: only these phases (and their warm-ups), e.g. to profile one route
// with BENCH_SERVER_NODE_ARGS=--cpu-prof (bench/profile-summary.ts reads the profile).
const PHASES = process.env.BENCH_PHASES?.split(',').filter(Boolean);
// BENCH_TRACE_STALLS=1: stalls, GC pauses and slow half-rate requests on stderr.
const TRACE = Boolean(process.env.BENCH_TRACE_STALLS);
const COUPLES = 200;
// Fixed ids for pgbench's send statement and the peer's inserts (no such users: nothing reads those rows).
const SENDER = '00000000-0000-7000-8000-000000000001';
const RECIPIENT = '00000000-0000-7000-8000-000000000002';
const COUPLE = '00000000-0000-7000-8000-000000000003';
const NOTE = '00000000-0000-7000-8000-000000000004';

type Info = {
  port: number;
  /** The second app on the same database, with RESPONSE_CACHE_ENABLED=false. */
  uncachedPort: number;
  databaseUrl: string;
  senders: string[];
  recipients: string[];
};

async function server(): Promise<void> {
  // The delivery knobs pass through, so a run can compare jobs alone with jobs plus a fast sweep.
  const knobs = Object.fromEntries(
    ['LOVE_NOTES_SWEEP_MS', 'JOBS_CONCURRENCY', 'DATABASE_PREPARED_STATEMENTS']
      .filter((name) => process.env[name])
      .map((name) => [name, process.env[name] as string]),
  );
  // Both apps read what either wrote: one key ring.
  const env = {
    LOG_LEVEL: 'silent',
    DATABASE_POOL_MAX: '20',
    ENCRYPTION_KEYS: generateKeySpec('bench1'),
    ...knobs,
  };
  // The product's cost, not the tests' OpenAPI check of every answer (BENCH_CONTRACT=1 keeps it).
  const contract = process.env.BENCH_CONTRACT === '1';
  const t = await createTestApp(env, { routes: testAuth, contract });
  const uncached = await createTestApp(
    { ...env, RESPONSE_CACHE_ENABLED: 'false' },
    { routes: testAuth, database: t.database, contract },
  );
  const pairs: Pair[] = [];
  for (let i = 0; i < COUPLES; i++) pairs.push(await makeCouple(t));
  const listen = async (app: typeof t.app) => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    return (app.server.address() as { port: number }).port;
  };
  const info: Info = {
    port: await listen(t.app),
    uncachedPort: await listen(uncached.app),
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
      await uncached.close();
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

/** POST /v1/love-notes as the senders (x-test-user), a new body each. */
function sendNotes(base: string, info: Info, counter: { n: number }, duration = seconds) {
  return postEach(`${base}/v1/love-notes`, { connections, duration }, () => {
    counter.n += 1;
    return {
      headers: { 'x-test-user': info.senders[counter.n % info.senders.length]! },
      body: { body: `Thinking of you 💖 #${counter.n}`, mood: 'tender' },
    };
  });
}

/** The peer's one-row insert: the same table, fixed ids no inbox reads. */
function peerInserts(peerBase: string, counter: { n: number }, duration = seconds) {
  return postEach(`${peerBase}/notes`, { connections, duration }, () => {
    counter.n += 1;
    return {
      body: {
        coupleId: COUPLE,
        senderId: SENDER,
        recipientId: RECIPIENT,
        body: `Thinking of you 💖 #${counter.n}`,
        mood: 'tender',
      },
    };
  });
}

/** The recipients' inbox, round robin: the app's route, or the peer's 20-row select. */
function readInboxes(
  url: (recipient: string) => { path: string; headers?: Record<string, string> },
  base: string,
  info: Info,
  counter: { n: number },
  duration = seconds,
) {
  return run({
    url: base,
    connections,
    duration,
    requests: [
      {
        setupRequest: (request) => {
          counter.n += 1;
          const { path, headers } = url(info.recipients[counter.n % info.recipients.length]!);
          return { ...request, path, headers: { ...request.headers, ...headers } };
        },
      },
    ],
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const line = (name: string, r: autocannon.Result) =>
  `${name} ${r.requests.average.toFixed(0)} req/s (p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms${r.non2xx ? `, non2xx ${r.non2xx}` : ''})`;

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
  const uncachedBase = `http://127.0.0.1:${info.uncachedPort}`;
  const peer = await startNaivePeer(info.databaseUrl);
  try {
    // pgbench: one single-row INSERT per transaction, same client count (not with BENCH_PHASES).
    await createInsertTable(info.databaseUrl);
    const pgbenchOrSkip: typeof pgbench = PHASES ? async () => Number.NaN : pgbench;
    const tps = await pgbenchOrSkip({
      databaseUrl: info.databaseUrl,
      script: SINGLE_ROW_INSERT,
      clients: connections,
      seconds,
    });
    // The statement a send runs (the note and its two outbox events), alone: what PostgreSQL
    // itself allows on this machine before any HTTP or Node work.
    const event = (type: string) =>
      `(gen_random_uuid(), '${type}', 1, now(), '${SENDER}', '${COUPLE}', '{"noteId":"${NOTE}","coupleId":"${COUPLE}","senderId":"${SENDER}","recipientId":"${RECIPIENT}"}')`;
    const sendTps = await pgbenchOrSkip({
      databaseUrl: info.databaseUrl,
      script: `with outbox_written as (insert into outbox_events (id, type, version, occurred_at, actor_id, couple_id, data) values ${event('love-note.delivered')}) insert into love_notes_notes (couple_id, id, sender_id, recipient_id, body, mood, created_at, status, kind, sent_at, delivered_at) values (gen_random_uuid(), gen_random_uuid(), '${SENDER}', '${RECIPIENT}', 'v1.bench.' || repeat('x', 80), 'tender', now(), 'delivered', 'note', now(), now()) returning *;`,
      clients: connections,
      seconds,
    });
    // Its notes (and the peer's) are not the API's: out of the inbox phases' way.
    const clearFixed = () =>
      sh('psql', [info.databaseUrl, '-qc', `delete from love_notes_notes where sender_id = '${SENDER}'`]);
    await clearFixed();
    console.log(
      `pgbench single-row INSERT: ${tps.toFixed(0)} tps; the send's statement alone: ${sendTps.toFixed(0)} tps (${ratio(sendTps, tps)}×)`,
    );

    const sent = { n: 0 };
    const peerSent = { n: 0 };
    const read = { n: 0 };
    const appInbox = (recipient: string) => ({
      path: '/v1/love-notes?box=inbox&limit=20',
      headers: { 'x-test-user': recipient },
    });
    const peerInbox = (recipient: string) => ({ path: `/inbox?recipient=${recipient}` });
    // Warm-up (JIT, pools, prepared statements, the first cache fills), not counted.
    type Figure = 'send' | 'peerInsert' | 'uncached' | 'cached' | 'peerSelect';
    const wanted = (figure: Figure) => !PHASES || PHASES.includes(figure);
    if (wanted('send')) await sendNotes(base, info, sent, 2);
    if (wanted('peerInsert')) await peerInserts(peer.base, peerSent, 2);
    if (wanted('uncached')) await readInboxes(appInbox, uncachedBase, info, read, 2);
    if (wanted('cached')) await readInboxes(appInbox, base, info, read, 2);
    if (wanted('peerSelect')) await readInboxes(peerInbox, peer.base, info, read, 2);
    await clearFixed();
    const names: Record<Figure, string> = {
      peerInsert: 'peer insert',
      send: 'POST /v1/love-notes',
      peerSelect: 'peer 20-row select',
      uncached: 'inbox uncached',
      cached: 'inbox cached',
    };
    // Each phase's req/s, and the serving process's own CPU per request: on this 2-core machine
    // req/s also measures what the load generator and the other tenants left the server, CPU per
    // request does not (support/process-cpu.ts).
    type Measured = { rate: number; cpuUs: number | undefined };
    const rounds: Array<Record<Figure, Measured>> = [];
    let cachedMax: autocannon.Result | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating order: whoever goes first in one round goes last in the next.
      const flip = round % 2 === 1;
      const phases: Record<Figure, [number | undefined, () => Promise<autocannon.Result>]> = {
        peerInsert: [peer.child.pid, () => peerInserts(peer.base, peerSent)],
        send: [child.pid, () => sendNotes(base, info, sent)],
        peerSelect: [peer.child.pid, () => readInboxes(peerInbox, peer.base, info, read)],
        uncached: [child.pid, () => readInboxes(appInbox, uncachedBase, info, read)],
        cached: [child.pid, () => readInboxes(appInbox, base, info, read)],
      };
      const results = new Map<Figure, autocannon.Result>();
      const measured = {} as Record<Figure, Measured>;
      const runAll = async (order: Figure[]) => {
        for (const figure of (flip ? [...order].reverse() : order).filter(wanted)) {
          const [pid, go] = phases[figure];
          const cpuBefore = processCpuSeconds(pid);
          const result = await go();
          const cpuAfter = processCpuSeconds(pid);
          results.set(figure, result);
          measured[figure] = {
            rate: result.requests.average,
            cpuUs:
              cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0
                ? undefined
                : ((cpuAfter - cpuBefore) / result.requests.total) * 1e6,
          };
        }
      };
      await runAll(['peerInsert', 'send']);
      await clearFixed();
      await runAll(['peerSelect', 'uncached', 'cached']);
      rounds.push(measured);
      cachedMax = results.get('cached');
      const r = measured;
      console.log(
        `round ${round + 1}${flip ? ' (reversed order)' : ''}: ${[...results].map(([figure, result]) => `${line(names[figure], result)} ${r[figure].cpuUs?.toFixed(0) ?? '?'} µs CPU/req`).join('; ')}\n` +
          (PHASES
            ? ''
            : `  ratios: send/peer insert ${ratio(r.send.rate, r.peerInsert.rate)}, uncached/peer select ${ratio(r.uncached.rate, r.peerSelect.rate)}, cached/peer select ${ratio(r.cached.rate, r.peerSelect.rate)}`),
      );
    }
    // Some phases only: their figures are above; the ratios need every phase.
    if (PHASES) return;
    const med = (figure: Figure) => median(rounds.map((r) => r[figure].rate));
    const medRatio = (a: Figure, b: Figure) => median(rounds.map((r) => r[a].rate / r[b].rate)).toFixed(2);
    const cpu = (figure: Figure) => middle(rounds.map((r) => r[figure].cpuUs));
    // The peer's CPU per request over the app's: the throughput ratio each would reach on a core of its own.
    const cpuRatio = (a: Figure, b: Figure) => {
      const [app, yardstick] = [cpu(a), cpu(b)];
      return app === undefined || yardstick === undefined
        ? ''
        : `; CPU/req ${app.toFixed(0)} vs ${yardstick.toFixed(0)} µs (${(yardstick / app).toFixed(2)}×)`;
    };
    console.log(
      `medians of ${ROUNDS} rounds (${seconds} s each, ${connections} connections):\n` +
        `  POST /v1/love-notes ${med('send').toFixed(0)} req/s vs peer one-row insert ${med('peerInsert').toFixed(0)}: ${medRatio('send', 'peerInsert')}× (target ≥ 0.6; vs pgbench INSERT ${ratio(med('send'), tps)}×)${cpuRatio('send', 'peerInsert')}\n` +
        `  inbox uncached ${med('uncached').toFixed(0)} req/s vs peer 20-row select ${med('peerSelect').toFixed(0)}: ${medRatio('uncached', 'peerSelect')}× (target ≥ 0.7)${cpuRatio('uncached', 'peerSelect')}\n` +
        `  inbox cached ${med('cached').toFixed(0)} req/s vs peer 20-row select: ${medRatio('cached', 'peerSelect')}× (target ≥ 2.0)${cpuRatio('cached', 'peerSelect')}`,
    );

    if (HALF_RATE_SECONDS > 0 && cachedMax) {
      // Half of the cached maximum as an open-loop constant rate (bench/support/open-loop.ts
      // says why not autocannon's overallRate), latency counted from each request's due time.
      const atHalf = (secs: number) =>
        openLoop({
          origin: base,
          path: '/v1/love-notes?box=inbox&limit=20',
          ratePerSecond: Math.max(1, Math.floor(med('cached') / 2)),
          seconds: secs,
          headers: (i) => ({ 'x-test-user': info.recipients[i % info.recipients.length]! }),
          ...(TRACE ? { reportSlowerThanMs: 200 } : {}),
        });
      if (TRACE) console.log(`half-rate phase starts ${new Date().toISOString()}`);
      await atHalf(2); // warm-up: the new rate settles
      const half = await atHalf(HALF_RATE_SECONDS);
      console.log(
        `GET inbox (cached) at half its maximum (${half.achievedRate} req/s, open loop): p50 ${half.p50} ms, p90 ${half.p90} ms, p99 ${half.p99} ms, max ${half.max} ms, non2xx ${half.non2xx}, errors ${half.errors}`,
      );
    }

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
    peer.child.kill('SIGTERM');
    child.send({ stop: true });
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

if (process.argv[2] === 'server') await server();
else await main();
