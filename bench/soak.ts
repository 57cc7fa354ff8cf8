import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { loadMix, requestFor, startStack } from './support/mixed-stack.ts';
import { openLoop } from './support/open-loop.ts';
import { type OwnPostgres, startOwnPostgres } from './support/own-postgres.ts';
import { processCpuSeconds } from './support/process-cpu.ts';
import { formatTables, type QueueStats, readQueueStats } from './support/queue-stats.ts';
import { costliest, readStatementTimes, type StatementTimes } from './support/statement-times.ts';

/**
 * `DATABASE_URL=postgres://…/postgres npm run bench:soak -- [--minutes 60] [--window 60] [--warmup 2] [--rate R] [--shared-postgres]`
 *
 * The mixed workload (bench/support/mixed-stack.ts) held at half of one API process's maximum
 * (measured first, or `--rate`) for `--minutes`, as an open loop. After each window it reads the
 * API's heap (its /metrics), the RSS and open file descriptors of the API and the worker
 * (/proc), and the database's connections, and prints one line with the window's p50/p99. The
 * verdict compares the windows after the warm-up: heap growth from the first three to the last
 * three (the issue's bound: under 5%), p99 first vs last, and any growth in descriptors, handles
 * or connections (a leak grows them; a steady state does not).
 *
 * Each window also prints the worker's backlog (unrelayed outbox rows, due bus deliveries and the
 * oldest one's age, waiting jobs), the queue tables' live/dead tuples and autovacuum runs
 * (pg_stat_user_tables), and the CPU the API, the worker and the database's backends used in it
 * (% of one core): what tells a worker falling behind from dead-row bloat when p99 drifts.
 *
 * The database is a PostgreSQL server of the bench's own (bench/support/own-postgres.ts) with
 * autovacuum on, as in production: the shared server on this machine runs with autovacuum off,
 * where the queue tables' own autovacuum settings do nothing and their dead rows only grow.
 * `--shared-postgres` runs on DATABASE_URL's server instead (to show that difference).
 */
const option = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
};
const MINUTES = Number(option('minutes', '60'));
const WINDOW_SECONDS = Number(option('window', '60'));
const WARMUP_WINDOWS = Number(option('warmup', '2'));
const RATE = Number(option('rate', '0'));
const SHARED_POSTGRES = process.argv.includes('--shared-postgres');

type Sample = {
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  heapMb: number;
  handles: number;
  apiRssMb: number;
  workerRssMb: number;
  apiFds: number;
  workerFds: number;
  connections: number;
  /** CPU in the window, % of one core. */
  apiCpu: number;
  workerCpu: number;
  dbCpu: number;
  queues: QueueStats;
};

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : Number.NaN;
}
function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}
const fds = (pid: number | undefined) => readdirSync(`/proc/${pid}/fd`).length;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** CPU seconds so far of each backend serving `db`'s database (pool connections live for the run). */
async function backendCpu(db: pg.Client): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database()',
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const seconds = processCpuSeconds(pid);
    if (seconds !== undefined) cpu.set(pid, seconds);
  }
  return cpu;
}
/** CPU the backends present at both ends used between them (an ended backend's share is lost). */
function backendDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? seconds);
  return total;
}

async function main(): Promise<void> {
  let own: OwnPostgres | undefined;
  if (!SHARED_POSTGRES) own = await startOwnPostgres();
  const stack = await startStack({
    apiProcesses: 1,
    peer: false,
    ...(own ? { adminUrl: own.adminUrl } : {}),
  });
  const api = stack.apis[0]!;
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const settings = await db.query<{ autovacuum: string; naptime: string }>(
      `select current_setting('autovacuum') as autovacuum, current_setting('autovacuum_naptime') as naptime`,
    );
    console.log(
      `database: ${own ? "the bench's own PostgreSQL" : 'the shared server (DATABASE_URL)'}, autovacuum ${settings.rows[0]!.autovacuum} (naptime ${settings.rows[0]!.naptime})`,
    );
    let rate = RATE;
    if (!rate) {
      const max = await loadMix(api.base, stack.people, 32, 15, 0);
      rate = Math.max(1, Math.floor(max.requests.average / 2));
      console.log(`maximum ${max.requests.average.toFixed(0)} req/s; soaking at half: ${rate} req/s`);
    }
    const windows = Math.max(WARMUP_WINDOWS + 2, Math.round((MINUTES * 60) / WINDOW_SECONDS));
    const samples: Sample[] = [];
    let offset = 1_000_000;
    console.log(
      'window | p50 ms | p99 ms | non2xx | errors | heap MB | handles | RSS MB api/worker | fds api/worker | db conns | CPU % api/worker/db | backlog unrelayed/due(oldest ms)/jobs | queue tables live/dead avN',
    );
    const database = new URL(stack.databaseUrl).pathname.slice(1);
    const statements = () =>
      own ? readStatementTimes(own.adminUrl, database) : Promise.resolve<StatementTimes>(new Map());
    for (let w = 0; w < windows; w++) {
      const start = offset;
      const statementsBefore = await statements();
      const cpuBefore = {
        api: processCpuSeconds(api.child.pid) ?? 0,
        worker: processCpuSeconds(stack.worker.pid) ?? 0,
        db: await backendCpu(db),
        at: performance.now(),
      };
      const result = await openLoop({
        origin: api.base,
        path: '/',
        ratePerSecond: rate,
        seconds: WINDOW_SECONDS,
        request: (i) => requestFor(stack.people, start + i),
      });
      offset += result.sent;
      const elapsed = (performance.now() - cpuBefore.at) / 1000;
      const percent = (seconds: number) => Math.round((seconds / elapsed) * 100);
      const apiCpu = percent((processCpuSeconds(api.child.pid) ?? 0) - cpuBefore.api);
      const workerCpu = percent((processCpuSeconds(stack.worker.pid) ?? 0) - cpuBefore.worker);
      const dbCpu = percent(backendDelta(cpuBefore.db, await backendCpu(db)));
      const queues = await readQueueStats(db);
      const text = await (await fetch(`${api.base}/metrics`)).text();
      const connections = (
        await db.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
        )
      ).rows[0]!.n;
      const sample: Sample = {
        p50: result.p50,
        p99: result.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        heapMb: metric(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
        handles: metric(text, 'nodejs_active_handles_total'),
        apiRssMb: rssMb(api.child.pid),
        workerRssMb: rssMb(stack.worker.pid),
        apiFds: fds(api.child.pid),
        workerFds: fds(stack.worker.pid),
        connections,
        apiCpu,
        workerCpu,
        dbCpu,
        queues,
      };
      samples.push(sample);
      console.log(
        `${String(w + 1).padStart(6)}${w < WARMUP_WINDOWS ? '*' : ' '}| ${sample.p50} | ${sample.p99} | ${sample.non2xx} | ${sample.errors} | ${sample.heapMb.toFixed(1)} | ${sample.handles} | ${sample.apiRssMb.toFixed(0)}/${sample.workerRssMb.toFixed(0)} | ${sample.apiFds}/${sample.workerFds} | ${sample.connections} | ${apiCpu}/${workerCpu}/${dbCpu} | ${queues.unrelayed}/${queues.dueDeliveries}(${queues.oldestDueMs})/${queues.pendingJobs} | ${formatTables(queues)}`,
      );
      // Where the database's time went in this window (own PostgreSQL only: pg_stat_statements).
      for (const line of costliest(statementsBefore, await statements(), 3)) console.log(`        ${line}`);
    }
    const steady = samples.slice(WARMUP_WINDOWS);
    const first = steady.slice(0, 3);
    const last = steady.slice(-3);
    const of = (list: Sample[], key: Exclude<keyof Sample, 'queues'>) => median(list.map((s) => s[key]));
    const heapGrowth = (of(last, 'heapMb') / of(first, 'heapMb') - 1) * 100;
    console.log(
      `soak: ${windows} windows of ${WINDOW_SECONDS} s at ${rate} req/s (* = warm-up, excluded); after warm-up, first 3 vs last 3 windows (medians):`,
    );
    console.log(
      `  heap ${of(first, 'heapMb').toFixed(1)} → ${of(last, 'heapMb').toFixed(1)} MB (${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(1)}%, bound 5%); p99 ${of(first, 'p99')} → ${of(last, 'p99')} ms; handles ${of(first, 'handles')} → ${of(last, 'handles')}; fds api ${of(first, 'apiFds')} → ${of(last, 'apiFds')}, worker ${of(first, 'workerFds')} → ${of(last, 'workerFds')}; db connections ${of(first, 'connections')} → ${of(last, 'connections')}; RSS api ${of(first, 'apiRssMb').toFixed(0)} → ${of(last, 'apiRssMb').toFixed(0)} MB, worker ${of(first, 'workerRssMb').toFixed(0)} → ${of(last, 'workerRssMb').toFixed(0)} MB`,
    );
    console.log(
      `  non2xx ${steady.reduce((n, s) => n + s.non2xx, 0)}, errors ${steady.reduce((n, s) => n + s.errors, 0)}`,
    );
    const end = samples.at(-1)!.queues;
    console.log(
      `  queue tables at the end (live/dead tuples, autovacuum runs): ${Object.entries(end.tables)
        .map(([name, t]) => `${name} ${t.live}/${t.dead} (${t.autovacuums})`)
        .join(', ')}`,
    );
  } finally {
    await db.end();
    await stack.stop();
    await own?.stop();
  }
}

await main();
