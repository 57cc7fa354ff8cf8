import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { SCENARIOS, type Scenario } from './scenarios/index.ts';
import { middle } from './support/middle.ts';
import { cpuMeter } from './support/process-cpu.ts';

/**
 * `npm run bench -- <scenario|all> [--duration 10] [--connections 50] [--rounds 3] [--pin]`
 * Starts the bare Fastify yardstick and the real server as separate processes,
 * warms each up, loads them one after the other with autocannon and prints
 * req/s, p50 and p99, and the ratio to the yardstick from this same run; on
 * Linux also each server's own CPU time per request (see support/process-cpu.ts).
 */
const ROOT = path.resolve(import.meta.dirname, '..');

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never answered`);
}

/**
 * `--pin`: the load generator (this process) on CPU 0 and each server on CPU 1,
 * so a server's throughput is what one core of its own gives, not whatever the
 * scheduler leaves it beside autocannon. Both sides get the same treatment.
 */
const PIN = process.argv.includes('--pin') && os.availableParallelism() >= 2;
if (PIN) spawnSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });

function startProcess(args: string[], env: Record<string, string | undefined>): ChildProcess {
  const command = [process.execPath, '--import', 'tsx', ...args];
  // taskset execs the command, so the child's pid (and its signals) stay the server's.
  const [file, ...rest] = PIN ? ['taskset', '-c', '1', ...command] : command;
  const child = spawn(file!, rest, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Measurement {
  requests: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** The server's user + system CPU time per request in µs, where /proc tells. */
  cpuMicros: number | undefined;
}

async function load(
  server: ChildProcess,
  url: string,
  scenario: Pick<Scenario, 'method' | 'headers' | 'body'>,
  duration: number,
  connections: number,
) {
  const run = (seconds: number) =>
    autocannon({
      url,
      method: scenario.method,
      headers: scenario.headers,
      body: scenario.body,
      connections,
      pipelining: 1,
      duration: seconds,
    });
  await run(Math.max(2, Math.round(duration / 3))); // warm-up: JIT, pool connections
  const cpu = cpuMeter(server.pid);
  const result = await run(duration);
  return {
    cpuMicros: cpu.microsPer(result.requests.total),
    requests: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  } satisfies Measurement;
}

/** The run with the median req/s (its latencies come with it, not mixed from other runs). */
function median(runs: Measurement[]): Measurement {
  const sorted = [...runs].sort((a, b) => a.requests - b.requests);
  const run = sorted[Math.floor(sorted.length / 2)];
  if (!run) throw new Error('no measurements');
  return run;
}

/** Benches with a harness of their own (they read the same argv): `npm run bench -- idle`. */
const STANDALONE: Record<string, string> = {
  idle: './idle.ts',
  'note-pipeline': './note-pipeline.ts',
  'queue-churn': './queue-churn.ts',
};

async function main() {
  const which = process.argv[2] ?? 'health';
  const standalone = STANDALONE[which];
  if (standalone) {
    const bench = (await import(standalone)) as { main(): Promise<void> };
    return bench.main();
  }
  const duration = option('duration', 10);
  const connections = option('connections', 50);
  const rounds = option('rounds', 3);
  const scenarios = which === 'all' ? SCENARIOS : SCENARIOS.filter((s) => s.name === which);
  if (scenarios.length === 0) {
    process.stderr.write(
      `Unknown scenario "${which}". Known: all, ${[...SCENARIOS.map((s) => s.name), ...Object.keys(STANDALONE)].join(', ')}\n`,
    );
    process.exit(2);
  }

  const barePort = await freePort();
  const bare = startProcess(['bench/bare-server.ts', String(barePort)], {});
  const apiPort = await freePort();
  const api = startProcess(['src/main.ts', 'start'], {
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    // BENCH_LOG_LEVEL=info measures the request logging a production server does.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    DATA_DIR: process.env.DATA_DIR ?? path.join(ROOT, 'data', 'bench'),
    // Load shedding would turn a saturated benchmark into 503s; measure raw capacity.
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
  });
  try {
    await waitFor(`http://127.0.0.1:${barePort}/bare`, bare);
    await waitFor(`http://127.0.0.1:${apiPort}/health`, api);
    // Rounds alternate yardstick and scenarios, and the median of each is
    // reported: on a shared 2-core machine a single pass drifts with whatever
    // else runs, and alternating exposes both sides to the same drift.
    const bareRuns: Measurement[] = [];
    const sameBytesRuns: Measurement[] = [];
    const scenarioRuns = new Map<string, Measurement[]>(scenarios.map((s) => [s.name, []]));
    for (let round = 0; round < rounds; round++) {
      bareRuns.push(
        await load(bare, `http://127.0.0.1:${barePort}/bare`, { method: 'GET' }, duration, connections),
      );
      sameBytesRuns.push(
        await load(
          bare,
          `http://127.0.0.1:${barePort}/bare-same-bytes`,
          { method: 'GET' },
          duration,
          connections,
        ),
      );
      for (const scenario of scenarios) {
        const url = `http://127.0.0.1:${apiPort}${scenario.path}`;
        scenarioRuns.get(scenario.name)?.push(await load(api, url, scenario, duration, connections));
      }
    }
    const row = (name: string, runs: Measurement[]) => ({
      name,
      ...median(runs),
      cpuMicros: middle(runs.map((r) => r.cpuMicros)),
    });
    const rows = [row('bare fastify', bareRuns), row('bare, /health bytes', sameBytesRuns)];
    for (const scenario of scenarios) rows.push(row(scenario.name, scenarioRuns.get(scenario.name) ?? []));
    const [baseline] = rows;
    const ratios = rows.map((r) => ({
      ...r,
      ratio: r.requests / baseline!.requests,
      cpuRatio: r.cpuMicros && baseline!.cpuMicros ? baseline!.cpuMicros / r.cpuMicros : undefined,
    }));
    process.stdout.write(
      `\n${connections} connections, ${duration}s per measurement, median of ${rounds} alternating rounds${PIN ? ', load generator on CPU 0 and servers on CPU 1' : ''}, node ${process.version}\n` +
        `${'scenario'.padEnd(20)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'errors'.padStart(8)}${'non2xx'.padStart(8)}${'vs bare'.padStart(9)}${'CPU µs/req'.padStart(12)}${'vs bare (CPU)'.padStart(15)}\n`,
    );
    const percent = (ratio: number | undefined) =>
      ratio === undefined ? '-' : `${(ratio * 100).toFixed(1)}%`;
    for (const r of ratios) {
      process.stdout.write(
        `${r.name.padEnd(20)}${r.requests.toFixed(0).padStart(10)}${String(r.p50).padStart(9)}${String(r.p99).padStart(9)}${String(r.errors).padStart(8)}${String(r.non2xx).padStart(8)}${percent(r.ratio).padStart(9)}${(r.cpuMicros?.toFixed(1) ?? '-').padStart(12)}${percent(r.cpuRatio).padStart(15)}\n`,
      );
    }
    await mkdir(path.join(ROOT, 'bench', 'results'), { recursive: true });
    const file = path.join(
      ROOT,
      'bench',
      'results',
      `${new Date().toISOString().replaceAll(':', '-')}-${which}.json`,
    );
    await writeFile(
      file,
      JSON.stringify(
        { duration, connections, rounds, pinned: PIN, node: process.version, rows: ratios },
        null,
        2,
      ),
    );
    process.stdout.write(`\nsaved ${path.relative(ROOT, file)}\n`);
  } finally {
    await Promise.all([stop(bare), stop(api)]);
  }
}

await main();
