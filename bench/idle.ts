import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resetStatements, startOwnPostgres, statementCalls } from './support/own-postgres.ts';
import { processCpuSeconds } from './support/process-cpu.ts';

/**
 * `npm run bench -- idle [--seconds 60] [--warmup 15]`
 *
 * How much an idle worker costs the database: a `worker` process (every
 * module, the PostgreSQL bus transport, no Redis or NATS) on a database of its
 * own in a PostgreSQL of the bench's own (pg_stat_statements loaded; see
 * support/own-postgres.ts), left alone for `--seconds` after `--warmup`; prints
 * the statements per second it ran (BEGIN and COMMIT count), the busiest
 * statements, and the worker's and PostgreSQL's CPU time over the window.
 */
const ROOT = path.resolve(import.meta.dirname, '..');

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

export function appEnv(databaseUrl: string, dataDir: string, extra: Record<string, string> = {}) {
  const env: Record<string, string | undefined> = { ...process.env };
  // The PostgreSQL-only deployment: every wake-up and queue goes through the database.
  delete env.REDIS_URL;
  delete env.NATS_URL;
  return {
    ...env,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
    ...extra,
  };
}

export function startApp(command: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts', command], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function runToEnd(child: ChildProcess): Promise<void> {
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`process exited with ${code}`);
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function main(): Promise<void> {
  const seconds = option('seconds', 60);
  const warmup = option('warmup', 15);
  const postgres = await startOwnPostgres();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-bench-idle-'));
  let worker: ChildProcess | undefined;
  try {
    const url = await postgres.createDatabase('idle');
    const env = appEnv(url, dataDir);
    await runToEnd(startApp('migrate', env));
    worker = startApp('worker', env);
    // Start-up work (subscriptions, cron bookkeeping, first sweeps) is not idling.
    await sleep(warmup * 1000);
    if (worker.exitCode !== null) throw new Error(`worker exited with ${worker.exitCode}`);
    await resetStatements(postgres.adminUrl);
    const workerCpu = processCpuSeconds(worker.pid);
    const pgCpu = postgres.cpuSeconds();
    const started = Date.now();
    await sleep(seconds * 1000);
    const elapsed = (Date.now() - started) / 1000;
    const workerUsed = (processCpuSeconds(worker.pid) ?? Number.NaN) - (workerCpu ?? Number.NaN);
    const pgUsed = (postgres.cpuSeconds() ?? Number.NaN) - (pgCpu ?? Number.NaN);
    const statements = await statementCalls(postgres.adminUrl, 'idle');
    const total = statements.reduce((sum, s) => sum + s.calls, 0);
    process.stdout.write(
      `idle worker, ${elapsed.toFixed(0)} s after a ${warmup} s warm-up: ${total} statements, ${(total / elapsed).toFixed(2)} statements/s (target ≤ 5); CPU: worker ${((workerUsed / elapsed) * 100).toFixed(2)}%, PostgreSQL ${((pgUsed / elapsed) * 100).toFixed(2)}% of a core\n`,
    );
    for (const s of statements.slice(0, 15)) {
      process.stdout.write(`${String(s.calls).padStart(7)}  ${s.query.replace(/\s+/g, ' ').slice(0, 150)}\n`);
    }
  } finally {
    if (worker) await stopChild(worker);
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) await main();
