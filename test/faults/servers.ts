import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/process.ts';

const run = promisify(execFile);

/**
 * Servers a fault test owns: started on a free port in a temp dir from the
 * machine's binaries, stopped and started again by the test, removed in its
 * after hook. The shared servers (5432, 6379, 4222) are never touched.
 */

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const NATS_SERVER = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';

function found(command: string): boolean {
  if (command.includes('/')) return existsSync(command);
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Options for `describe(name, needsBinary('postgres'), ...)`: a laptop without
 * the server's binary skips with the reason; under CI it is a failure.
 */
export function needsBinary(server: 'postgres' | 'redis' | 'nats'): { skip: string | false } {
  const command = { postgres: path.join(PG_BIN, 'initdb'), redis: 'redis-server', nats: NATS_SERVER }[server];
  if (found(command)) return { skip: false };
  if (process.env.CI)
    throw new Error(`${command} is missing: this fault test starts its own ${server} server`);
  return { skip: `${command} is missing: install it (or set PG_BIN / NATS_SERVER) to run this fault test` };
}

export interface OwnPostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

/** PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user. */
async function postgresOwner(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

export async function startPostgres(): Promise<OwnPostgres> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'o2o-fault-pg-'));
  const dataDir = path.join(dir, 'data');
  const owner = await postgresOwner();
  if (owner.uid !== undefined) await chown(dir, owner.uid, owner.gid!);
  const env = { ...process.env, LC_ALL: 'C' };
  await run(
    path.join(PG_BIN, 'initdb'),
    ['-D', dataDir, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C', '--no-sync'],
    { ...owner, env },
  );
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k '' -c fsync=off -c max_connections=50`;
  const pgCtl = (args: string[]) =>
    run(path.join(PG_BIN, 'pg_ctl'), ['-D', dataDir, ...args], { ...owner, env });
  const start = async () => {
    await pgCtl(['start', '-w', '-t', '60', '-l', path.join(dir, 'server.log'), '-o', options]);
  };
  const stop = async () => {
    await pgCtl(['stop', '-w', '-t', '60', '-m', 'fast']);
  };
  await start();
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: async () => {
      await start();
      running = true;
    },
    stop: async () => {
      await stop();
      running = false;
    },
    async destroy() {
      if (running) await stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnServer {
  url: string;
  /** Kills the server (SIGKILL: an outage, not a shutdown) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port (and, for NATS, the same store). */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function spawnUntil(command: string, args: string[], ready: string | RegExp): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (typeof ready === 'string' ? output.includes(ready) : ready.test(output)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}):\n${output}`)));
  });
}

async function ownServer(url: string, launch: () => Promise<ChildProcess>, dir?: string): Promise<OwnServer> {
  let child: ChildProcess | undefined = await launch();
  const kill = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    child = undefined;
  };
  return {
    url,
    kill,
    async start() {
      child = await launch();
    },
    async destroy() {
      await kill();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function startRedis(): Promise<OwnServer> {
  const port = await freePort();
  return ownServer(`redis://127.0.0.1:${port}`, () =>
    spawnUntil(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      'Ready to accept connections',
    ),
  );
}

export async function startNats(): Promise<OwnServer> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'o2o-fault-nats-'));
  return ownServer(
    `nats://127.0.0.1:${port}`,
    () =>
      spawnUntil(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], 'Server is ready'),
    dir,
  );
}
