import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { migrations } from '../../src/migrations.ts';
import { createDatabase } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrator.ts';
import { migrateJobs } from '../../src/platform/jobs/migrate.ts';
import { freePort } from './process.ts';

/**
 * Servers a test starts and stops itself, on 127.0.0.1 and free ports, from
 * the machine's own binaries: a PostgreSQL primary, a streaming replica of
 * it, PgBouncer in front, and a Redis Cluster. Never the shared servers.
 * PostgreSQL and PgBouncer refuse to run as root, so under root they run as
 * the `postgres` system user (runuser) in a directory it owns.
 */

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;

function asPostgres(command: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

async function exec(command: string, args: string[]): Promise<string> {
  const [cmd, argv] = asPostgres(command, args);
  try {
    const { stdout, stderr } = await run(cmd, argv, { maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** A temporary directory the server user can write to; removed by `remove()`. */
export async function serverDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(dir, 0o700);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface LocalPostgres {
  port: number;
  url(database?: string): string;
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

function localPostgres(dataDir: string, port: number): LocalPostgres {
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
      const client = new pg.Client({ connectionString: url(), application_name: 'test-probe' });
      await client.connect();
      try {
        return (await client.query<T>(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async stop() {
      await exec(path.join(PG_BIN, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(
        () => {},
      );
    },
  };
}

/** initdb + start: trust on loopback, WAL for one streaming replica, pg_stat_statements loaded. */
export async function startPrimary(root: string): Promise<LocalPostgres> {
  const dataDir = path.join(root, 'primary');
  const port = await freePort();
  await exec(path.join(PG_BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  await appendConf(dataDir, [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${root}'`,
    'wal_level = replica',
    'max_wal_senders = 4',
    'hot_standby = on',
    `shared_preload_libraries = 'pg_stat_statements'`,
    'pg_stat_statements.track = all',
    // A test server: durability is not what is tested, speed is welcome.
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
  ]);
  await exec(path.join(PG_BIN, 'pg_ctl'), [
    '-D',
    dataDir,
    '-l',
    path.join(root, 'primary.log'),
    '-w',
    'start',
  ]);
  return localPostgres(dataDir, port);
}

/** pg_basebackup -R from the primary, then start it as a hot standby streaming from it. */
export async function startReplica(root: string, primary: LocalPostgres): Promise<LocalPostgres> {
  const dataDir = path.join(root, 'replica');
  const port = await freePort();
  await exec(path.join(PG_BIN, 'pg_basebackup'), [
    '-h',
    '127.0.0.1',
    '-p',
    String(primary.port),
    '-U',
    'postgres',
    '-D',
    dataDir,
    '-R',
    '-X',
    'stream',
  ]);
  await appendConf(dataDir, [`port = ${port}`]);
  await exec(path.join(PG_BIN, 'pg_ctl'), [
    '-D',
    dataDir,
    '-l',
    path.join(root, 'replica.log'),
    '-w',
    'start',
  ]);
  return localPostgres(dataDir, port);
}

async function appendConf(dataDir: string, lines: string[]): Promise<void> {
  const file = path.join(dataDir, 'postgresql.conf');
  // Written by the server user (the data directory is theirs).
  await exec('sh', ['-c', `cat >> '${file}' <<'EOF'\n${lines.join('\n')}\nEOF`]);
}

export interface LocalPgBouncer {
  port: number;
  url(database?: string): string;
  /** An admin-console command (`SHOW POOLS`, `SHOW STATS`). */
  admin<T extends pg.QueryResultRow>(command: string): Promise<T[]>;
  stop(): Promise<void>;
}

/** PgBouncer in transaction pooling in front of `primary`. */
export async function startPgBouncer(root: string, primary: LocalPostgres): Promise<LocalPgBouncer> {
  const port = await freePort();
  const ini = path.join(root, 'pgbouncer.ini');
  const pidFile = path.join(root, 'pgbouncer.pid');
  await writeFile(path.join(root, 'userlist.txt'), '"postgres" ""\n');
  await writeFile(
    ini,
    [
      '[databases]',
      `* = host=127.0.0.1 port=${primary.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${root}`,
      'auth_type = trust',
      `auth_file = ${path.join(root, 'userlist.txt')}`,
      'admin_users = postgres',
      'pool_mode = transaction',
      'max_client_conn = 500',
      'default_pool_size = 20',
      'ignore_startup_parameters = extra_float_digits',
      `logfile = ${path.join(root, 'pgbouncer.log')}`,
      `pidfile = ${pidFile}`,
      '',
    ].join('\n'),
  );
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    for (const file of ['userlist.txt', 'pgbouncer.ini'])
      await chown(path.join(root, file), Number(stdout.trim()), Number(gid.trim()));
  }
  await exec('pgbouncer', ['-d', ini]);
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  await waitFor(async () => {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    await client.query('select 1');
    await client.end();
  });
  return {
    port,
    url,
    async admin<T extends pg.QueryResultRow>(command: string) {
      // The admin console speaks the simple query protocol only.
      const client = new pg.Client({ connectionString: url('pgbouncer') });
      await client.connect();
      try {
        return (await client.query<T>({ text: command, queryMode: 'simple' } as never)).rows;
      } finally {
        await client.end();
      }
    },
    async stop() {
      const { readFile } = await import('node:fs/promises');
      const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGINT');
        } catch {}
      }
    },
  };
}

export interface LocalRedisCluster {
  nodes: { host: string; port: number }[];
  /** The REDIS_CLUSTER_NODES value. */
  env: string;
  stop(): Promise<void>;
}

/** Three masters (`--cluster-enabled yes`), slots spread by `redis-cli --cluster create`. */
export async function startRedisCluster(root: string, masters = 3): Promise<LocalRedisCluster> {
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  for (let i = 0; i < masters; i++) {
    const port = await freePort();
    ports.push(port);
    const dir = path.join(root, `redis-${port}`);
    await run('mkdir', ['-p', dir]);
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(dir, 'nodes.conf'),
        '--cluster-node-timeout',
        '5000',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    children.push(child);
  }
  const stop = async () => {
    for (const child of children) {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
  };
  try {
    for (const port of ports)
      await waitFor(() => run('redis-cli', ['-p', String(port), 'ping']).then(() => {}));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await waitFor(async () => {
      for (const port of ports) {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
        if (!stdout.includes('cluster_state:ok')) throw new Error(`node ${port}: ${stdout}`);
      }
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
  return { nodes, env: nodes.map((n) => `${n.host}:${n.port}`).join(','), stop };
}

export async function waitFor(check: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await check();
      return;
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`gave up waiting: ${String(last)}`);
}

/** Our migrations and graphile-worker's schema on a server of the test's own, through a direct connection. */
export async function migrateLocal(url: string): Promise<void> {
  const { db, close } = createDatabase({ url, poolMax: 1 });
  try {
    await migrateToLatest(db, migrations);
  } finally {
    await close();
  }
  await migrateJobs(url);
}
