import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { processCpuSeconds } from './process-cpu.ts';

const run = promisify(execFile);

/**
 * A PostgreSQL 15 server of the bench's own, from the machine's binaries, in a
 * temporary directory on a free port: the shared server (5432) does not load
 * pg_stat_statements and runs with autovacuum off, and its CPU time is shared
 * with every other user. This one loads pg_stat_statements (top-level
 * statements, utility ones such as BEGIN and COMMIT counted too), runs autovacuum as a production
 * server would, and its CPU time can be read from /proc (see `cpuSeconds`).
 * The rest of the settings are PostgreSQL's defaults, as on the shared server.
 */
export interface OwnPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  adminUrl: string;
  /** A new empty database's URL. */
  createDatabase(name: string): Promise<string>;
  /** User + system CPU seconds of the postmaster and every backend so far (ended ones included). */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

export async function startOwnPostgres(settings: Record<string, string> = {}): Promise<OwnPostgres> {
  if (!existsSync(path.join(BIN, 'initdb'))) throw new Error(`no PostgreSQL binaries in ${BIN} (set PG_BIN)`);
  const owner = await postgresUser();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'o2o-bench-pg-'));
  if (owner.uid !== undefined) await chown(dir, owner.uid, owner.gid!);
  const dataDir = path.join(dir, 'data');
  await run(path.join(BIN, 'initdb'), ['-D', dataDir, '--auth=trust', '--username=postgres', '--locale=C'], {
    ...owner,
    env: { ...process.env, LC_ALL: 'C' },
  });
  const port = await freePort();
  const options = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: dir,
    shared_preload_libraries: 'pg_stat_statements',
    // Top-level statements: what the app sends (a trigger's or a foreign key check's queries are not counted).
    'pg_stat_statements.track': 'top',
    'pg_stat_statements.track_utility': 'on',
    'pg_stat_statements.max': '10000',
    max_connections: '200',
    autovacuum: 'on',
    ...settings,
    // BENCH_PG_SETTINGS="k=v k=v": extra server settings for a diagnosis, e.g. `logging_collector=on
    // log_directory=/tmp/pglog session_preload_libraries=auto_explain auto_explain.log_min_duration=5`.
    ...Object.fromEntries(
      (process.env.BENCH_PG_SETTINGS ?? '')
        .split(' ')
        .filter(Boolean)
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ),
  };
  const args = ['-D', dataDir, ...Object.entries(options).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const postmaster = spawn(path.join(BIN, 'postgres'), args, {
    ...owner,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  postmaster.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  for (let i = 0; ; i++) {
    if (postmaster.exitCode !== null) throw new Error(`bench PostgreSQL did not start:\n${log}`);
    const client = new pg.Client({ connectionString: adminUrl });
    try {
      await client.connect();
      await client.query('create extension if not exists pg_stat_statements');
      await client.end();
      break;
    } catch {
      await client.end().catch(() => {});
      if (i > 200) throw new Error(`bench PostgreSQL did not answer:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const pid = postmaster.pid!;
  return {
    adminUrl,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    cpuSeconds() {
      return postgresCpuSeconds(pid);
    },
    async stop() {
      if (postmaster.exitCode === null) {
        const exited = new Promise((resolve) => postmaster.once('exit', resolve));
        postmaster.kill('SIGINT'); // fast shutdown
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The postmaster's own time, its ended children's (cutime/cstime, which the
 * kernel adds once the postmaster has reaped them) and its live children's.
 */
function postgresCpuSeconds(postmaster: number): number | undefined {
  const own = processCpuSeconds(postmaster);
  if (own === undefined) return undefined;
  let total = own + reapedChildrenSeconds(postmaster);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== postmaster) continue;
    } catch {
      continue;
    }
    total += processCpuSeconds(Number(entry)) ?? 0;
  }
  return total;
}

const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

function reapedChildrenSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / TICKS;
}

/** Statements run in `database` since the last reset (pg_stat_statements; BEGIN/COMMIT included). */
export async function statementCalls(
  adminUrl: string,
  database: string,
): Promise<Array<{ calls: number; query: string; ms: number; walBytes: number }>> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ calls: string; query: string; ms: number; wal_bytes: string }>(
      `select s.calls, s.query, s.total_exec_time as ms, s.wal_bytes
       from pg_stat_statements s join pg_database d on d.oid = s.dbid
       where d.datname = $1 order by s.calls desc`,
      [database],
    );
    return rows.map((r) => ({
      calls: Number(r.calls),
      query: r.query,
      ms: Number(r.ms),
      walBytes: Number(r.wal_bytes),
    }));
  } finally {
    await client.end();
  }
}

export async function resetStatements(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('select pg_stat_statements_reset()');
  } finally {
    await client.end();
  }
}
