/**
 * Gateway benchmarks, each comparison measured in one run on this machine:
 * 1. rate limiter overhead: a limited route vs the same route exempt from
 *    limits, in-process counters and Redis (target: under 10% fewer req/s);
 * 2. a cached GET hit through the whole app vs a bare Fastify route
 *    (target: p99 under 5 ms and at least 60% of the bare route's req/s).
 * Usage: npx tsx bench/gateway.ts   (REDIS_URL=redis://127.0.0.1:6379 adds the Redis rows;
 * BENCH_SECONDS, BENCH_CONNECTIONS tune the load). Results go to stdout and
 * bench/results/gateway.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const REDIS_URL = process.env.REDIS_URL;

interface Row {
  scenario: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function start(kind: 'bare' | 'app', port: number, env: Record<string, string>): Promise<ChildProcess> {
  const server = path.join(import.meta.dirname, 'gateway-server.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', server, kind, String(port)], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATA_DIR: path.join(os.tmpdir(), 'o2o-bench-data'),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    child.stdout!.on('data', (chunk) => {
      if (String(chunk).includes('listening')) resolve();
    });
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function measure(scenario: string, url: string, headers: Record<string, string> = {}): Promise<Row> {
  await autocannon({ url, connections: CONNECTIONS, duration: 1, headers }); // warm-up
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  const row = {
    scenario,
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
  process.stdout.write(
    `${scenario.padEnd(46)} ${String(row.reqPerSec).padStart(7)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms${row.non2xx ? `  non-2xx ${row.non2xx}` : ''}\n`,
  );
  return row;
}

const ratio = (a: Row, b: Row) => a.reqPerSec / b.reqPerSec;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

// Limits far above the load, so every request is counted and none is refused.
const HIGH_LIMITS = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_GLOBAL_PER_SECOND: '10000000',
  RATE_LIMIT_BURST_PER_SECOND: '10000000',
  RATE_LIMIT_PER_IP_PER_MINUTE: '10000000',
  RATE_LIMIT_PER_USER_PER_MINUTE: '10000000',
  SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
};

const rows: Row[] = [];
const summary: string[] = [];
const port = 39_000 + Math.floor(Math.random() * 1000);

const bare = await start('bare', port, {});
const bareRow = await measure('bare Fastify route', `http://127.0.0.1:${port}/v1/bench/bare`);
rows.push(bareRow);
await stop(bare);

const stores: Array<[string, Record<string, string>]> = [['memory', { REDIS_URL: '' }]];
if (REDIS_URL) stores.push(['redis', { REDIS_URL, GATEWAY_REDIS_PREFIX: `o2o:bench:${randomUUID()}:` }]);
else process.stdout.write('(REDIS_URL unset: Redis rows skipped)\n');

for (const [store, env] of stores) {
  const app = await start('app', port, { ...HIGH_LIMITS, ...env });
  const base = `http://127.0.0.1:${port}/v1/bench`;
  const user = { 'x-bench-user': randomUUID() };
  // Interleaved, so drift in the machine's load affects both sides alike.
  const unlimited1 = await measure(`[${store}] app route, limiter off`, `${base}/unlimited`, user);
  const limited1 = await measure(`[${store}] app route, limiter on (3 levels)`, `${base}/limited`, user);
  const unlimited2 = await measure(`[${store}] app route, limiter off (again)`, `${base}/unlimited`, user);
  const limited2 = await measure(`[${store}] app route, limiter on (again)`, `${base}/limited`, user);
  const cached = await measure(`[${store}] cached GET hit (limiter on)`, `${base}/cached`, user);
  rows.push(unlimited1, limited1, unlimited2, limited2, cached);
  await stop(app);
  const off = (unlimited1.reqPerSec + unlimited2.reqPerSec) / 2;
  const on = (limited1.reqPerSec + limited2.reqPerSec) / 2;
  summary.push(`[${store}] rate limiter cost: ${pct(1 - on / off)} fewer req/s (target < 10%)`);
  summary.push(
    `[${store}] cached hit: p99 ${cached.p99} ms (target < 5), ${pct(ratio(cached, bareRow))} of bare req/s (target >= 60%)`,
  );
}

process.stdout.write(`\n${summary.join('\n')}\n`);
await mkdir(path.join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(
  path.join(import.meta.dirname, 'results/gateway.json'),
  `${JSON.stringify({ at: new Date().toISOString(), seconds: SECONDS, connections: CONNECTIONS, rows, summary }, null, 2)}\n`,
);
