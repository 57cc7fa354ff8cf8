import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { loadMix, requestFor, startStack } from './support/mixed-stack.ts';
import { openLoop } from './support/open-loop.ts';

/**
 * `DATABASE_URL=postgres://…/postgres npm run bench:soak -- [--minutes 60] [--window 60] [--warmup 2] [--rate R]`
 *
 * The mixed workload (bench/support/mixed-stack.ts) held at half of one API process's maximum
 * (measured first, or `--rate`) for `--minutes`, as an open loop. After each window it reads the
 * API's heap (its /metrics), the RSS and open file descriptors of the API and the worker
 * (/proc), and the database's connections, and prints one line with the window's p50/p99. The
 * verdict compares the windows after the warm-up: heap growth from the first three to the last
 * three (the bound: under 5%), p99 first vs last, and any growth in descriptors, handles
 * or connections (a leak grows them; a steady state does not).
 */
const option = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
};
const MINUTES = Number(option('minutes', '60'));
const WINDOW_SECONDS = Number(option('window', '60'));
const WARMUP_WINDOWS = Number(option('warmup', '2'));
const RATE = Number(option('rate', '0'));

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

async function main(): Promise<void> {
  const stack = await startStack({ apiProcesses: 1, peer: false });
  const api = stack.apis[0]!;
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
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
      'window | p50 ms | p99 ms | non2xx | errors | heap MB | handles | RSS MB api/worker | fds api/worker | db conns',
    );
    for (let w = 0; w < windows; w++) {
      const start = offset;
      const result = await openLoop({
        origin: api.base,
        path: '/',
        ratePerSecond: rate,
        seconds: WINDOW_SECONDS,
        request: (i) => requestFor(stack.people, start + i),
      });
      offset += result.sent;
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
      };
      samples.push(sample);
      console.log(
        `${String(w + 1).padStart(6)}${w < WARMUP_WINDOWS ? '*' : ' '}| ${sample.p50} | ${sample.p99} | ${sample.non2xx} | ${sample.errors} | ${sample.heapMb.toFixed(1)} | ${sample.handles} | ${sample.apiRssMb.toFixed(0)}/${sample.workerRssMb.toFixed(0)} | ${sample.apiFds}/${sample.workerFds} | ${sample.connections}`,
      );
    }
    const steady = samples.slice(WARMUP_WINDOWS);
    const first = steady.slice(0, 3);
    const last = steady.slice(-3);
    const of = (list: Sample[], key: keyof Sample) => median(list.map((s) => s[key]));
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
  } finally {
    await db.end();
    await stack.stop();
  }
}

await main();
