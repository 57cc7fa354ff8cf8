import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

/**
 * The product on one throwaway database for the mixed-workload and soak benches: `serve`
 * processes, one `worker`, optionally the naive peer, and 50 people in 25 couples signed up
 * through the API, each couple with 60 notes. Every 100 requests of `requestFor` are the design's
 * mix exactly.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const COUPLES = 25;
const NOTES_PER_PERSON = 30;

export type Person = { token: string; id: string };
export type MixRequest = {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
};

/** The design's read-heavy mix, in percent: the weights sum to 100. */
const MIX: Array<[number, (i: number) => Omit<MixRequest, 'headers'>]> = [
  [50, () => ({ method: 'GET', path: '/v1/love-notes?box=inbox&limit=20' })],
  [12, () => ({ method: 'GET', path: '/v1/users/me' })],
  [8, () => ({ method: 'GET', path: '/v1/notifications?limit=20' })],
  [8, () => ({ method: 'GET', path: '/v1/love-notes/templates' })],
  [7, () => ({ method: 'GET', path: '/v1/content?limit=20' })],
  [5, () => ({ method: 'GET', path: '/v1/calendar?year=2026&month=12' })],
  [5, () => ({ method: 'GET', path: '/v1/questions/today' })],
  [
    5,
    (i) => ({
      method: 'POST',
      path: '/v1/love-notes',
      body: JSON.stringify({ body: `Thinking of you #${i}`, mood: 'tender' }),
    }),
  ],
];
/**
 * BENCH_MIX_WITHOUT_SENDS=1: the sends' 5% become inbox reads, for the breakdown of what the
 * writes cost (their own request, the misses their invalidations cause, the worker's pipeline).
 */
if (process.env.BENCH_MIX_WITHOUT_SENDS === '1') MIX[MIX.length - 1]![1] = MIX[0]![1];
/** BENCH_SERVER_NODE_ARGS: flags for the API processes' node only (profiles: `--cpu-prof --cpu-prof-dir=DIR`). */
const SERVER_NODE_ARGS = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
const PICK = MIX.flatMap(([weight, make]) => Array.from({ length: weight }, () => make));

/** Request i of the mix, as one of the people. */
export function requestFor(people: Person[], i: number): MixRequest {
  const person = people[i % people.length]!;
  // A fixed stride through the 100 slots: every 100 requests are the mix exactly, in a scattered order.
  const made = PICK[(i * 37) % PICK.length]!(i);
  const headers: Record<string, string> = { authorization: `Bearer ${person.token}` };
  if (made.body) headers['content-type'] = 'application/json';
  return { ...made, headers };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function node(args: string[], env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function ready(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: exited with ${child.exitCode}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never answered`);
}

async function call(base: string, method: string, url: string, token?: string, body?: unknown) {
  const response = await fetch(base + url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as { data: Record<string, unknown> };
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(json)}`);
  return json.data;
}

/** 50 people in 25 couples through the API itself, each with notes in their inbox. */
async function seed(base: string): Promise<Person[]> {
  const people: Person[] = [];
  for (let i = 0; i < COUPLES * 2; i++) {
    const tokens = await call(base, 'POST', '/v1/auth/register', undefined, {
      email: `mixed-${process.pid}-${i}@example.com`,
      password: 'correct horse battery staple 42',
      displayName: `Person ${i}`,
      acceptTerms: true,
    });
    const token = String(tokens.accessToken);
    const me = await call(base, 'GET', '/v1/users/me', token);
    people.push({ token, id: String(me.id) });
  }
  for (let c = 0; c < COUPLES; c++) {
    const [a, b] = [people[2 * c]!, people[2 * c + 1]!];
    const invite = await call(base, 'POST', '/v1/couples/invites', a.token);
    await call(base, 'POST', `/v1/couples/invites/${String(invite.code)}/accept`, b.token);
    for (let n = 0; n < NOTES_PER_PERSON; n++) {
      await call(base, 'POST', '/v1/love-notes', a.token, { body: `Seed note ${n}`, mood: 'tender' });
      await call(base, 'POST', '/v1/love-notes', b.token, { body: `Seed reply ${n}`, mood: 'happy' });
    }
  }
  return people;
}

export interface Stack {
  apis: Array<{ base: string; child: ChildProcess }>;
  worker: ChildProcess;
  /** The naive peer's origin, when asked for. */
  peerBase?: string;
  databaseUrl: string;
  people: Person[];
  stop(): Promise<void>;
}

/**
 * Starts everything on a new database of the DATABASE_URL server (or of `adminUrl`); `stop` ends it
 * all and drops it.
 */
export async function startStack(options: {
  apiProcesses: number;
  peer: boolean;
  adminUrl?: string;
}): Promise<Stack> {
  const adminUrl = options.adminUrl ?? process.env.DATABASE_URL;
  if (!adminUrl)
    throw new Error('DATABASE_URL (a PostgreSQL server to create a throwaway database on) is required');
  const name = `o2o_bench_mixed_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) =>
        child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined,
      ),
    );
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
  try {
    const env = {
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      RATE_LIMIT_ENABLED: 'false',
      AUTH_REGISTRATIONS_PER_IP_PER_HOUR: '0',
      AUTH_LOGIN_THROTTLE: 'false',
      SIGNUP_BOT_CHECK: 'off',
      WEB_APP_DIR: 'off',
      HOST: '127.0.0.1',
    };
    const migrate = node(['src/main.ts', 'migrate'], env);
    const code = await new Promise((resolve) => migrate.on('exit', resolve));
    if (code !== 0) throw new Error(`migrate exited with ${code}`);

    let peerBase: string | undefined;
    if (options.peer) {
      const peer = await startNaivePeer(databaseUrl);
      children.push(peer.child);
      peerBase = peer.base;
    }
    const apis: Array<{ base: string; child: ChildProcess }> = [];
    for (let k = 0; k < options.apiProcesses; k++) {
      const port = await freePort();
      const child = node(['src/main.ts', 'serve'], { ...env, PORT: String(port) }, SERVER_NODE_ARGS);
      children.push(child);
      apis.push({ base: `http://127.0.0.1:${port}`, child });
    }
    const worker = node(['src/main.ts', 'worker'], env);
    children.push(worker);
    for (const api of apis) await ready(`${api.base}/ready`, api.child);
    const people = await seed(apis[0]!.base);
    return { apis, worker, ...(peerBase ? { peerBase } : {}), databaseUrl, people, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The naive Fastify + pg peer (naive-peer.ts) on `databaseUrl`, answering; SIGTERM stops it. */
export async function startNaivePeer(databaseUrl: string): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const child = node(['bench/support/naive-peer.ts'], { DATABASE_URL: databaseUrl, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  try {
    await ready(`${base}/health`, child);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return { base, child };
}

/** Closed-loop load of the mix against one process with autocannon. */
export function loadMix(
  base: string,
  people: Person[],
  connections: number,
  seconds: number,
  offset: number,
): Promise<autocannon.Result> {
  let i = offset;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: base,
        connections,
        duration: seconds,
        requests: [{ setupRequest: (request) => ({ ...request, ...requestFor(people, i++) }) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}
