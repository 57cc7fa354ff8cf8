import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDatabase } from '../src/platform/db/database.ts';
import { QUEUE_TABLES } from '../src/platform/db/queue-tables.ts';
import { generateKeySpec } from '../src/platform/security/field-encryption.ts';
import { createTestApp } from '../test/support/app.ts';
import { makeCouple } from '../test/support/love-notes.ts';
import { testAuth } from '../test/support/test-auth.ts';
import { middle } from './support/middle.ts';
import { openLoop } from './support/open-loop.ts';
import { resetStatements, startOwnPostgres, statementCalls } from './support/own-postgres.ts';
import { createInsertTable, pgbench, SINGLE_ROW_INSERT } from './support/pgbench.ts';
import { postEach } from './support/post-each.ts';
import { processCpuSeconds } from './support/process-cpu.ts';

/**
 * `npm run bench -- note-pipeline [--seconds 15] [--connections 16] [--rounds 1] [--couples 100] [--lag-seconds 15] [--lag-rate N]`
 *
 * A love note's whole journey on one node: an API process (the real app with
 * the test-only x-test-user sign-in) takes `POST /v1/love-notes` at its
 * maximum for `--seconds`, and a `worker` process (every module, PostgreSQL
 * bus, no Redis or NATS) carries each note until it is fully processed: the
 * recipient's in-app notification written and pushed live, and every channel's
 * outcome recorded under the note (web and mobile push: no target; email: the
 * recipient has an address, so a mail is written to DATA_DIR/outbox/mail).
 * Everything runs on a PostgreSQL of the bench's own (pg_stat_statements,
 * autovacuum on; support/own-postgres.ts).
 *
 * Per round, alternating: pgbench single-row INSERT tps on the same server
 * for the same seconds, then the pipeline: notes/s from the first send to the
 * last note fully processed, SQL statements per note (all of them, request
 * and worker, BEGIN/COMMIT included), CPU ms per note of the API, the worker
 * and PostgreSQL. Prints the medians, the ratio to pgbench, the busiest
 * statements per note and the queue tables' dead rows before and after.
 *
 * Then the lag: notes sent as an open loop at half the measured notes/s (or at
 * `--lag-rate` notes/s) for `--lag-seconds` (0 skips it), and per note the time
 * from its row (accepted) to the last of its channel outcomes filed under it
 * (fully processed), p50/p99, with the CPU per note of that phase: at a fixed
 * rate it compares between runs, where the maximum's depends on the batches the
 * machine's load allowed.
 *
 * At the end, row writes per note by table (inserted / updated / deleted
 * tuples from pg_stat_user_tables over every round and the lag phase): the
 * row churn that drives PostgreSQL's CPU, and the same whatever the load.
 *
 * `BENCH_SERVER_NODE_ARGS` (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) goes to
 * both the API and the worker process; the worker's profile is the one whose
 * process started second. The API answers without the tests' OpenAPI check of
 * every response unless `BENCH_CONTRACT=1`.
 */
const ROOT = path.resolve(import.meta.dirname, '..');

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

type Info = { port: number; databaseUrl: string; databaseName: string; senders: string[] };

const ENCRYPTION_KEYS = generateKeySpec('bench1');

/** The bench's own probe queries (pg_stat_statements normalises their constants to $n). */
const PROBE_STATEMENTS = [
  /^select exists \(select \$1 from outbox_events where relayed_at is null\) or exists/,
  /^select count\(\*\)::int as n from notifications_items$/,
  /^select pg_wal_lsn_diff\(pg_current_wal_lsn\(\), \$1\)::text as at$/,
];

function pgOnlyEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.REDIS_URL;
  delete env.NATS_URL;
  return env;
}

/** The API process: the app on a fresh database of the bench's PostgreSQL, and the couples. */
async function server(): Promise<void> {
  const couples = Number(process.env.BENCH_COUPLES ?? 100);
  // Without the tests' OpenAPI check of every answer, a tax the product does not pay (as
  // bench/love-notes.ts); BENCH_CONTRACT=1 puts it back.
  const t = await createTestApp(
    { LOG_LEVEL: 'silent', DATABASE_POOL_MAX: '20', ENCRYPTION_KEYS },
    { routes: testAuth, contract: process.env.BENCH_CONTRACT === '1' },
  );
  const senders: string[] = [];
  const recipients: string[] = [];
  for (let i = 0; i < couples; i++) {
    const pair = await makeCouple(t);
    senders.push(pair.a);
    recipients.push(pair.b);
  }
  // Recipients have an email address: the one outbound channel that is configured.
  await sql`
    insert into notifications_recipients (user_id, email)
    select id, 'bench+' || id || '@example.com' from unnest(${recipients}::uuid[]) as id`.execute(
    t.platform.database.db,
  );
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.app.server.address() as { port: number }).port;
  process.send?.({
    info: { port, databaseUrl: t.database.url, databaseName: t.database.name, senders } satisfies Info,
  });
  process.on('message', async (message: { stop?: boolean }) => {
    if (message.stop) {
      await t.close();
      process.exit(0);
    }
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Round {
  pgbenchTps: number;
  notes: number;
  notesPerSecond: number;
  sendRate: number;
  statementsPerNote: number;
  /** WAL written per note (pg_current_wal_lsn before and after): like row writes, load-independent. */
  walBytesPerNote: number;
  cpu: { api: number; worker: number; postgres: number };
  statements: Array<{ calls: number; query: string; ms: number; walBytes: number }>;
}

export async function main(): Promise<void> {
  const seconds = option('seconds', 15);
  const connections = option('connections', 16);
  const rounds = option('rounds', 1);
  const couples = option('couples', 100);
  const postgres = await startOwnPostgres();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-bench-pipeline-'));
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    for (const child of children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.connected) child.send({ stop: true });
      else child.kill('SIGTERM');
      await exited;
    }
  };
  try {
    const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const api = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', import.meta.filename, 'server'], {
      cwd: ROOT,
      env: { ...pgOnlyEnv(), DATABASE_URL: postgres.adminUrl, BENCH_COUPLES: String(couples) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(api);
    const info = await new Promise<Info>((resolve, reject) => {
      api.on('message', (m: { info?: Info }) => m.info && resolve(m.info));
      api.once('exit', (code) => reject(new Error(`API process exited with ${code}`)));
    });
    const worker = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts', 'worker'], {
      cwd: ROOT,
      env: {
        ...pgOnlyEnv(),
        DATABASE_URL: info.databaseUrl,
        DATA_DIR: dataDir,
        ENCRYPTION_KEYS,
        LOG_LEVEL: 'warn',
        NODE_ENV: 'development',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(worker);
    const probe = createDatabase({ url: info.databaseUrl, poolMax: 1 });
    await createInsertTable(info.databaseUrl);
    const deadRows = async () => {
      const { rows } = await sql<{ name: string; live: number; dead: number }>`
        select schemaname || '.' || relname as name, n_live_tup::int as live, n_dead_tup::int as dead
        from pg_stat_user_tables where schemaname || '.' || relname = any(${[...QUEUE_TABLES]}::text[])
        order by 1`.execute(probe.db);
      return rows;
    };
    // The server's WAL position in bytes (the whole cluster's: nothing else writes to the bench's PostgreSQL).
    const walPosition = async () => {
      const { rows } = await sql<{ at: string }>`
        select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as at`.execute(probe.db);
      return Number(rows[0]!.at);
    };
    const drained = async () => {
      const { rows } = await sql<{ busy: boolean }>`
        select exists (select 1 from outbox_events where relayed_at is null)
          or exists (select 1 from bus_deliveries)
          or exists (select 1 from graphile_worker._private_jobs) as busy`.execute(probe.db);
      return !rows[0]!.busy;
    };
    // The worker has started (its subscriptions exist) and nothing is queued.
    for (let i = 0; i < 600; i++) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from bus_subscriptions`.execute(
        probe.db,
      );
      if (rows[0]!.n > 0 && (await drained())) break;
      await sleep(100);
    }
    const deadBefore = await deadRows();

    const send = (duration: number) =>
      postEach(`http://127.0.0.1:${info.port}/v1/love-notes`, { connections, duration }, (n) => ({
        headers: { 'x-test-user': info.senders[n % info.senders.length]! },
        body: { body: `Thinking of you 💖 #${n}`, mood: 'tender' },
      }));
    // Warm-up: JIT, pools, the first relay and consumer passes.
    await send(2);
    for (let i = 0; i < 600 && !(await drained()); i++) await sleep(100);
    // Row writes per table (inserted, updated, deleted tuples): unlike CPU, the same whatever the
    // machine's load. A backend reports its counts when idle for a while (up to 10 s), hence the waits.
    // pgbench's table is not the pipeline's.
    const rowWrites = async () => {
      const { rows } = await sql<{ name: string; ins: number; upd: number; del: number }>`
        select schemaname || '.' || relname as name, n_tup_ins::float8 as ins, n_tup_upd::float8 as upd,
          n_tup_del::float8 as del
        from pg_stat_user_tables where relname <> 'bench_insert'`.execute(probe.db);
      const { rows: items } = await sql<{ n: number }>`
        select count(*)::int as n from notifications_items`.execute(probe.db);
      return { tables: rows, notes: items[0]!.n };
    };
    await sleep(11_000);
    const writesBefore = await rowWrites();

    const results: Round[] = [];
    for (let round = 0; round < rounds; round++) {
      const pgbenchTps = await pgbench({
        databaseUrl: info.databaseUrl,
        script: SINGLE_ROW_INSERT,
        clients: connections,
        seconds,
      });
      const { rows: counted } = await sql<{ n: number }>`
        select count(*)::int as n from notifications_items`.execute(probe.db);
      const notificationsBefore = counted[0]!.n;
      await resetStatements(postgres.adminUrl);
      const walStart = await walPosition();
      const cpuStart = {
        api: processCpuSeconds(api.pid) ?? 0,
        worker: processCpuSeconds(worker.pid) ?? 0,
        postgres: postgres.cpuSeconds() ?? 0,
      };
      const started = performance.now();
      const result = await send(seconds);
      const sendRate = result.requests.average;
      // Up to 5 minutes for the backlog; a note still queued after that is reported, not counted.
      for (let i = 0; i < 6000 && !(await drained()); i++) await sleep(50);
      const elapsed = (performance.now() - started) / 1000;
      const walBytes = (await walPosition()) - walStart;
      const cpuUsed = {
        api: (processCpuSeconds(api.pid) ?? 0) - cpuStart.api,
        worker: (processCpuSeconds(worker.pid) ?? 0) - cpuStart.worker,
        postgres: (postgres.cpuSeconds() ?? 0) - cpuStart.postgres,
      };
      // Fully processed: every note notified its recipient (checked, not assumed).
      const { rows: after } = await sql<{ n: number }>`
        select count(*)::int as n from notifications_items`.execute(probe.db);
      // autocannon does not count the requests cut off at the end, which the API may still have taken.
      const notes = after[0]!.n - notificationsBefore;
      if (Math.abs(notes - result['2xx']) > connections)
        process.stderr.write(`warning: ${result['2xx']} notes accepted but ${notes} notifications written\n`);
      // The probe's own statements (a few per 50 ms) are not the pipeline's. Matched exactly: the
      // pipeline's own statements on notifications_items (intake's insert, the delivery's lock) count.
      const statements = (await statementCalls(postgres.adminUrl, info.databaseName)).filter(
        (s) => !PROBE_STATEMENTS.some((probe) => probe.test(s.query.replace(/\s+/g, ' ').trim())),
      );
      const total = statements.reduce((sum, s) => sum + s.calls, 0);
      results.push({
        pgbenchTps,
        notes,
        notesPerSecond: notes / elapsed,
        sendRate,
        statementsPerNote: total / notes,
        walBytesPerNote: walBytes / notes,
        cpu: {
          api: (cpuUsed.api * 1000) / notes,
          worker: (cpuUsed.worker * 1000) / notes,
          postgres: (cpuUsed.postgres * 1000) / notes,
        },
        statements,
      });
      const r = results.at(-1)!;
      process.stdout.write(
        `round ${round + 1}: pgbench ${pgbenchTps.toFixed(0)} tps; ${notes} notes (sent at ${sendRate.toFixed(0)}/s), fully processed in ${elapsed.toFixed(1)} s: ${r.notesPerSecond.toFixed(1)} notes/s (${(r.notesPerSecond / pgbenchTps).toFixed(3)}× pgbench); ${r.statementsPerNote.toFixed(1)} statements/note; ${r.walBytesPerNote.toFixed(0)} WAL bytes/note; CPU ms/note: API ${r.cpu.api.toFixed(2)}, worker ${r.cpu.worker.toFixed(2)}, PostgreSQL ${r.cpu.postgres.toFixed(2)}\n`,
      );
    }
    const deadAfter = await deadRows();

    // Lag at half the rate: from a note's insert to the last channel outcome filed under it.
    const lagSeconds = option('lag-seconds', 15);
    let lagLine = '';
    let lagStatements: { notes: number; statements: Round['statements'] } | undefined;
    // --lag-rate fixes the rate, so CPU per note compares between runs (at the maximum, batches
    // grow with the rate the machine's load allows, and the per-note cost shrinks with them).
    const lagRate = option('lag-rate', 0);
    const halfRate = lagRate > 0 ? lagRate : (middle(results.map((r) => r.notesPerSecond)) ?? 0) / 2;
    if (lagSeconds > 0 && halfRate > 0) {
      const { rows: clock } = await sql<{ now: Date }>`select now() as now`.execute(probe.db);
      await resetStatements(postgres.adminUrl);
      const lagCpuStart = {
        api: processCpuSeconds(api.pid) ?? 0,
        worker: processCpuSeconds(worker.pid) ?? 0,
        postgres: postgres.cpuSeconds() ?? 0,
      };
      let i = 0;
      const sent = await openLoop({
        origin: `http://127.0.0.1:${info.port}`,
        path: '/v1/love-notes',
        ratePerSecond: halfRate,
        seconds: lagSeconds,
        request: () => {
          i += 1;
          return {
            method: 'POST',
            path: '/v1/love-notes',
            headers: {
              'content-type': 'application/json',
              'x-test-user': info.senders[i % info.senders.length]!,
            },
            body: JSON.stringify({ body: `Half-rate note #${i}`, mood: 'tender' }),
          };
        },
      });
      for (let j = 0; j < 6000 && !(await drained()); j++) await sleep(50);
      const lagCpu = {
        api: (processCpuSeconds(api.pid) ?? 0) - lagCpuStart.api,
        worker: (processCpuSeconds(worker.pid) ?? 0) - lagCpuStart.worker,
        postgres: (postgres.cpuSeconds() ?? 0) - lagCpuStart.postgres,
      };
      const { rows: lag } = await sql<{
        notes: number;
        done: number;
        p50: number | null;
        p99: number | null;
      }>`
        select count(*)::int as notes, count(*) filter (where settled)::int as done,
          percentile_cont(0.5) within group (order by lag) filter (where settled) as p50,
          percentile_cont(0.99) within group (order by lag) filter (where settled) as p99
        from (
          select extract(epoch from max(o.updated_at) - n.created_at) as lag,
            count(o.channel) > 0 and bool_and(o.status <> 'pending') as settled
          from love_notes_notes n left join love_notes_channel_outcomes o on o.couple_id = n.couple_id and o.note_id = n.id
          where n.created_at >= ${clock[0]!.now} group by n.couple_id, n.id, n.created_at
        ) t`.execute(probe.db);
      const l = lag[0]!;
      // At a low rate batches are small and every note pays for its own relay pass and consumer
      // transactions: the statements show which.
      lagStatements = {
        notes: l.notes,
        statements: (await statementCalls(postgres.adminUrl, info.databaseName)).filter(
          (s) => !PROBE_STATEMENTS.some((probe) => probe.test(s.query.replace(/\s+/g, ' ').trim())),
        ),
      };
      // Includes the drain after the sends and the probe's own polling (a few statements per 50 ms).
      const perNote = (seconds: number) => ((seconds * 1000) / Math.max(1, l.notes)).toFixed(2);
      lagLine =
        `lag at ${lagRate > 0 ? 'a fixed rate' : 'half the rate'} (${halfRate.toFixed(1)} notes/s for ${lagSeconds} s, ${sent.non2xx + sent.errors} failed sends): ${l.done}/${l.notes} notes fully processed, p50 ${((l.p50 ?? Number.NaN) * 1000).toFixed(0)} ms, p99 ${((l.p99 ?? Number.NaN) * 1000).toFixed(0)} ms (target < 2000); send p99 ${sent.p99.toFixed(0)} ms\n` +
        `CPU ms per note at that rate: API ${perNote(lagCpu.api)}, worker ${perNote(lagCpu.worker)}, PostgreSQL ${perNote(lagCpu.postgres)}, total ${perNote(lagCpu.api + lagCpu.worker + lagCpu.postgres)}\n`;
    }

    const med = (pick: (r: Round) => number) => middle(results.map(pick)) ?? Number.NaN;
    const notesPerSecond = med((r) => r.notesPerSecond);
    const tps = med((r) => r.pgbenchTps);
    process.stdout.write(
      `\nnote pipeline, ${seconds} s of sends per round, ${connections} connections, median of ${rounds} alternating round(s), node ${process.version}\n` +
        `notes/s accepted → fully processed: ${notesPerSecond.toFixed(1)}; pgbench single-row INSERT: ${tps.toFixed(0)} tps; ratio ${(notesPerSecond / tps).toFixed(3)} (target ≥ 0.25)\n` +
        `SQL statements per note: ${med((r) => r.statementsPerNote).toFixed(1)} (target ≤ 10)\n` +
        `WAL bytes per note: ${med((r) => r.walBytesPerNote).toFixed(0)}\n` +
        `CPU ms per note: API ${med((r) => r.cpu.api).toFixed(2)}, worker ${med((r) => r.cpu.worker).toFixed(2)}, PostgreSQL ${med((r) => r.cpu.postgres).toFixed(2)}, total ${med((r) => r.cpu.api + r.cpu.worker + r.cpu.postgres).toFixed(2)} (target ≤ 4)\n` +
        lagLine,
    );
    const last = results.at(-1)!;
    process.stdout.write(
      '\nstatements per note (last round), busiest first (calls, execution ms, WAL bytes per note):\n',
    );
    for (const s of last.statements.slice(0, 30)) {
      process.stdout.write(
        `${(s.calls / last.notes).toFixed(2).padStart(7)} ${(s.ms / last.notes).toFixed(3).padStart(7)} ${(s.walBytes / last.notes).toFixed(0).padStart(6)}  ${s.query.replace(/\s+/g, ' ').slice(0, 130)}\n`,
      );
    }
    if (lagStatements) {
      const { notes, statements } = lagStatements;
      const total = statements.reduce((sum, s) => sum + s.calls, 0);
      process.stdout.write(
        `\nstatements per note at the lag phase's rate: ${(total / Math.max(1, notes)).toFixed(1)}, busiest first (calls, execution ms per note):\n`,
      );
      for (const s of statements.slice(0, 30)) {
        process.stdout.write(
          `${(s.calls / Math.max(1, notes)).toFixed(2).padStart(7)} ${(s.ms / Math.max(1, notes)).toFixed(3).padStart(7)}  ${s.query.replace(/\s+/g, ' ').slice(0, 130)}\n`,
        );
      }
    }
    await sleep(11_000);
    const writesAfter = await rowWrites();
    const written = writesAfter.tables
      .map((t) => {
        const b = writesBefore.tables.find((x) => x.name === t.name);
        return {
          name: t.name,
          ins: t.ins - (b?.ins ?? 0),
          upd: t.upd - (b?.upd ?? 0),
          del: t.del - (b?.del ?? 0),
        };
      })
      .filter((t) => t.ins + t.upd + t.del > 0)
      .sort((x, y) => y.ins + y.upd + y.del - (x.ins + x.upd + x.del));
    const notesWritten = Math.max(1, writesAfter.notes - writesBefore.notes);
    const sum = written.reduce((n, t) => n + t.ins + t.upd + t.del, 0);
    process.stdout.write(
      `\nrow writes per note (every round and the lag phase, ${notesWritten} notes): ${(sum / notesWritten).toFixed(1)}; inserted / updated / deleted:\n`,
    );
    for (const t of written.slice(0, 15)) {
      const per = (n: number) => (n / notesWritten).toFixed(2);
      process.stdout.write(`  ${t.name.padEnd(42)} ${per(t.ins)} / ${per(t.upd)} / ${per(t.del)}\n`);
    }
    process.stdout.write('\nqueue tables, live / dead rows before → after:\n');
    for (const row of deadAfter) {
      const before = deadBefore.find((b) => b.name === row.name);
      process.stdout.write(
        `  ${row.name.padEnd(42)} ${before?.live ?? 0} / ${before?.dead ?? 0} → ${row.live} / ${row.dead}\n`,
      );
    }
    await probe.close();
  } finally {
    await stopAll();
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'server') await server();
else if (process.argv[1] === import.meta.filename) await main();
