/**
 * Gateway benchmarks, each comparison measured in one run on this machine
 * (servers in their own processes, autocannon here):
 * 1. rate limiter overhead: a limited route vs the same route exempt from
 *    limits, in-process counters and Redis (target: under 10% fewer req/s);
 * 2. a cached GET hit through the whole app vs a bare Fastify route
 *    (target: p99 under 5 ms and at least 60% of the bare route's req/s).
 * Usage: npx tsx bench/gateway.ts. The Redis rows use a private redis-server
 * when the binary is installed, else REDIS_URL (BENCH_REDIS=shared forces it);
 * BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ROUNDS, BENCH_PAIRS tune the load. Results go to
 * stdout and bench/results/gateway.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { middle } from './support/middle.ts';
import { cpuMeter } from './support/process-cpu.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
// Ten concurrent clients keep the server busy without turning p99 into queueing time.
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 8);

/**
 * A private redis-server for the Redis rows when the binary is there: the
 * shared one also serves everyone's test runs, which would be measured too.
 * BENCH_REDIS=shared uses REDIS_URL instead.
 */
async function benchRedis(): Promise<{ url: string; stop(): void } | undefined> {
  if (process.env.BENCH_REDIS !== 'shared' && existsSync('/usr/bin/redis-server')) {
    const port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk) => {
        if (String(chunk).includes('Ready to accept connections')) resolve();
      });
    });
    return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
  }
  const url = process.env.REDIS_URL;
  return url ? { url, stop() {} } : undefined;
}
const redis = await benchRedis();
const REDIS_URL = redis?.url;

interface Row {
  scenario: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** The API process's own CPU time per request in µs (not Redis's), where /proc tells. */
  cpuMicros: number | undefined;
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
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

async function measure(
  scenario: string,
  url: string,
  server: ChildProcess,
  headers: Record<string, string> = {},
  seconds = SECONDS,
): Promise<Row> {
  await autocannon({ url, connections: CONNECTIONS, duration: 1, headers }); // warm-up
  const cpu = cpuMeter(server.pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  return {
    cpuMicros: cpu.microsPer(result.requests.total),
    scenario,
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/** The run with the median req/s, with its own latencies; CPU per request is its own median. */
function median(runs: Row[]): Row {
  const sorted = [...runs].sort((a, b) => a.reqPerSec - b.reqPerSec);
  return { ...sorted[Math.floor(sorted.length / 2)]!, cpuMicros: middle(runs.map((r) => r.cpuMicros)) };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
/** a's CPU per request over b's, as a percentage, or '-' where /proc did not tell. */
const cpuPct = (a: Row, b: Row) => (a.cpuMicros && b.cpuMicros ? pct(a.cpuMicros / b.cpuMicros) : '-');

// Limits far above the load, so every request is counted and none is refused;
// no load shedding, so a saturated run measures capacity rather than 503s.
const HIGH_LIMITS = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_GLOBAL_PER_SECOND: '10000000',
  RATE_LIMIT_BURST_PER_SECOND: '10000000',
  RATE_LIMIT_PER_IP_PER_MINUTE: '10000000',
  RATE_LIMIT_PER_USER_PER_MINUTE: '10000000',
  SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
};

const servers: Array<{ name: string; url: string; child: ChildProcess }> = [];
async function serve(name: string, kind: 'bare' | 'app', env: Record<string, string>): Promise<void> {
  const port = await freePort();
  servers.push({ name, url: `http://127.0.0.1:${port}/v1/bench`, child: await start(kind, port, env) });
}
async function stopAll(): Promise<void> {
  await Promise.all(servers.map(({ child }) => stop(child)));
  redis?.stop();
}
try {
  await serve('bare', 'bare', {});
  await serve('memory', 'app', { ...HIGH_LIMITS, REDIS_URL: '' });
  if (REDIS_URL) {
    await serve('redis', 'app', {
      ...HIGH_LIMITS,
      REDIS_URL,
      GATEWAY_REDIS_PREFIX: `o2o:bench:${randomUUID()}:`,
    });
  } else {
    process.stdout.write('(no redis-server and REDIS_URL unset: Redis rows skipped)\n');
  }
} catch (error) {
  // Whatever did start is stopped, not left running.
  await stopAll();
  throw error;
}

const user = { 'x-bench-user': randomUUID() };
const plan: Array<[string, string, ChildProcess, Record<string, string>]> = [
  ['bare Fastify route', `${servers[0]!.url}/bare`, servers[0]!.child, {}],
];
for (const { name, url, child } of servers.slice(1)) {
  plan.push(
    [`[${name}] app route, limiter off`, `${url}/unlimited`, child, user],
    [`[${name}] app route, limiter on (3 levels)`, `${url}/limited`, child, user],
    [`[${name}] cached GET hit (limiter on)`, `${url}/cached`, child, user],
  );
}

// Rounds alternate every scenario and the median of each is reported: on a
// shared 2-core machine one pass drifts with whatever else runs.
const runs = new Map<string, Row[]>(plan.map(([name]) => [name, []]));
// The limiter's cost is a difference of a few percent, smaller than this machine's drift
// between measurements minutes apart: it is also measured in short pairs, the route
// without and with the limiter back to back on the same server, and the median pair reported.
const limiterPairs = new Map<string, Array<{ reqPerSec: number; cpu: number | undefined }>>();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, url, server, headers] of plan)
      runs.get(name)!.push(await measure(name, url, server, headers));
  }
  for (const { name, url, child } of servers.slice(1)) {
    const pairs: Array<{ reqPerSec: number; cpu: number | undefined }> = [];
    for (let i = 0; i < PAIRS; i++) {
      const off = await measure('off', `${url}/unlimited`, child, user, 2);
      const on = await measure('on', `${url}/limited`, child, user, 2);
      pairs.push({
        reqPerSec: on.reqPerSec / off.reqPerSec,
        cpu: on.cpuMicros && off.cpuMicros ? on.cpuMicros / off.cpuMicros : undefined,
      });
    }
    limiterPairs.set(name, pairs);
  }
} finally {
  await stopAll();
}

const rows = plan.map(([name]) => median(runs.get(name)!));
const row = (name: string) => rows.find((r) => r.scenario === name)!;
process.stdout.write(
  `\n${CONNECTIONS} connections, ${SECONDS}s per measurement, median of ${ROUNDS} alternating rounds, node ${process.version}\n`,
);
for (const r of rows) {
  process.stdout.write(
    `${r.scenario.padEnd(42)} ${String(r.reqPerSec).padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  CPU ${r.cpuMicros?.toFixed(1) ?? '-'} µs/req${r.non2xx ? `  non-2xx ${r.non2xx}` : ''}\n`,
  );
}
const bare = row('bare Fastify route');
const summary: string[] = [];
for (const { name } of servers.slice(1)) {
  const off = row(`[${name}] app route, limiter off`);
  const on = row(`[${name}] app route, limiter on (3 levels)`);
  const cached = row(`[${name}] cached GET hit (limiter on)`);
  const pairs = limiterPairs.get(name) ?? [];
  const pairedRate = middle(pairs.map((p) => p.reqPerSec));
  const pairedCpu = middle(pairs.map((p) => p.cpu));
  summary.push(
    `[${name}] rate limiter: ${pct(1 - on.reqPerSec / off.reqPerSec)} fewer req/s than the same route without it (target < 10%); CPU per request ${cpuPct(on, off)} of it`,
    `[${name}] rate limiter, median of ${pairs.length} back-to-back 2 s pairs: ${pairedRate === undefined ? '-' : pct(1 - pairedRate)} fewer req/s (target < 10%; pairs ${pairs.map((p) => pct(1 - p.reqPerSec)).join(' ')}); CPU per request ${pairedCpu === undefined ? '-' : pct(pairedCpu)} of the route without it`,
    `[${name}] cached hit: p99 ${cached.p99} ms (target < 5); ${pct(cached.reqPerSec / bare.reqPerSec)} of bare Fastify req/s (target >= 60%); ${pct(cached.reqPerSec / off.reqPerSec)} of the app's uncached route; CPU per request ${cpuPct(cached, bare)} of bare's`,
  );
}
process.stdout.write(`\n${summary.join('\n')}\n`);
await mkdir(path.join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(
  path.join(import.meta.dirname, 'results/gateway.json'),
  `${JSON.stringify({ at: new Date().toISOString(), seconds: SECONDS, connections: CONNECTIONS, rounds: ROUNDS, rows, summary }, null, 2)}\n`,
);
