import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { openLoop } from './support/open-loop.ts';
import { processCpuSeconds } from './support/process-cpu.ts';

/**
 * `DATABASE_URL=postgres://…/postgres [REDIS_URL=…] npm run bench:mixed -- [--seconds 15] [--connections 32] [--processes 1,2,3] [--rounds 3]`
 *
 * The product's traffic, not one route: a mix of the design's hot reads (inbox, profile,
 * notifications, templates, content, calendar, today's question) with 5% note sends, as 50 people
 * in 25 couples with real sign-ins, against 1, 2 and 3 `serve` processes (and one `worker`) on one
 * throwaway database. Side by side in each round: the naive peer, a bare Fastify + pg route
 * selecting the same 20 inbox rows. Prints req/s and p95/p99 per process count (medians of the
 * rounds), the ratio to the peer, the scaling factor against one process, and p95 at half of the
 * one-process maximum (open loop, the design's 200 ms target).
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const option = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
};
const SECONDS = Number(option('seconds', '15'));
const CONNECTIONS = Number(option('connections', '32'));
const ROUNDS = Number(option('rounds', '3'));
const COUNTS = option('processes', '1,2,3').split(',').map(Number);
const COUPLES = 25;
const NOTES_PER_PERSON = 30;

type Person = { token: string; id: string };
type Request = { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string };

/** The design's read-heavy mix, in percent: the weights sum to 100. */
const MIX: Array<[number, (p: Person, i: number) => Omit<Request, 'headers'>]> = [
  [50, () => ({ method: 'GET', path: '/v1/love-notes?box=inbox&limit=20' })],
  [12, () => ({ method: 'GET', path: '/v1/users/me' })],
  [8, () => ({ method: 'GET', path: '/v1/notifications?limit=20' })],
  [8, () => ({ method: 'GET', path: '/v1/love-notes/templates' })],
  [7, () => ({ method: 'GET', path: '/v1/content?limit=20' })],
  [5, () => ({ method: 'GET', path: `/v1/calendar?year=2026&month=12` })],
  [5, () => ({ method: 'GET', path: '/v1/questions/today' })],
  [
    5,
    (_p, i) => ({
      method: 'POST',
      path: '/v1/love-notes',
      body: JSON.stringify({ body: `Thinking of you #${i}`, mood: 'tender' }),
    }),
  ],
];
const PICK: Array<(p: Person, i: number) => Omit<Request, 'headers'>> = MIX.flatMap(([weight, make]) =>
  Array.from({ length: weight }, () => make),
);

function requestFor(people: Person[], i: number): Request {
  const person = people[i % people.length]!;
  // A fixed stride through the 100 slots: every 100 requests are the mix exactly, in a scattered order.
  const made = PICK[(i * 37) % PICK.length]!(person, i);
  const headers: Record<string, string> = { authorization: `Bearer ${person.token}` };
  if (made.body) headers['content-type'] = 'application/json';
  return { ...made, headers };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function node(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ...args], {
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

function load(base: string, people: Person[], connections: number, offset: number) {
  let i = offset;
  return new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: base,
        connections,
        duration: SECONDS,
        requests: [{ setupRequest: (request) => ({ ...request, ...requestFor(people, i++) }) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
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

    const peerPort = await freePort();
    const peer = node(['bench/support/naive-peer.ts'], { ...env, PORT: String(peerPort) });
    children.push(peer);
    const apis: Array<{ base: string; child: ChildProcess }> = [];
    for (let k = 0; k < Math.max(...COUNTS); k++) {
      const port = await freePort();
      const child = node(['src/main.ts', 'serve'], { ...env, PORT: String(port) });
      children.push(child);
      apis.push({ base: `http://127.0.0.1:${port}`, child });
    }
    const worker = node(['src/main.ts', 'worker'], env);
    children.push(worker);
    await ready(`http://127.0.0.1:${peerPort}/health`, peer);
    for (const api of apis) await ready(`${api.base}/ready`, api.child);

    const people = await seed(apis[0]!.base);
    const recipients = people.map((p) => p.id);
    const peerBase = `http://127.0.0.1:${peerPort}`;
    // Warm-up: every process's pools and caches, the peer's too.
    await Promise.all(apis.map((api, k) => load(api.base, people, 4, k * 1000)));

    const figures = new Map<string, { rate: number[]; p95: number[]; p99: number[]; non2xx: number[] }>();
    const record = (key: string, rate: number, p95: number, p99: number, non2xx: number) => {
      const entry = figures.get(key) ?? { rate: [], p95: [], p99: [], non2xx: [] };
      entry.rate.push(rate);
      entry.p95.push(p95);
      entry.p99.push(p99);
      entry.non2xx.push(non2xx);
      figures.set(key, entry);
    };
    const cpuBefore = apis.map((api) => processCpuSeconds(api.child.pid) ?? 0);
    let served = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let i = 0;
      const peerRun = await new Promise<autocannon.Result>((resolve, reject) =>
        autocannon(
          {
            url: peerBase,
            connections: CONNECTIONS,
            duration: SECONDS,
            requests: [
              {
                setupRequest: (r) => ({
                  ...r,
                  path: `/inbox?recipient=${recipients[i++ % recipients.length]}`,
                }),
              },
            ],
          },
          (error, result) => (error ? reject(error) : resolve(result)),
        ),
      );
      record('peer', peerRun.requests.average, peerRun.latency.p97_5, peerRun.latency.p99, peerRun.non2xx);
      for (const count of COUNTS) {
        // The connections split over the processes, as a balancer in front of them would.
        const runs = await Promise.all(
          apis
            .slice(0, count)
            .map((api, k) =>
              load(api.base, people, Math.ceil(CONNECTIONS / count), (round * 10 + k) * 100_000),
            ),
        );
        const rate = runs.reduce((sum, r) => sum + r.requests.average, 0);
        served += runs.reduce((sum, r) => sum + r.requests.total, 0);
        // p97.5 is autocannon's nearest point to p95; the worst process's tail stands for the whole.
        record(
          `${count}`,
          rate,
          Math.max(...runs.map((r) => r.latency.p97_5)),
          Math.max(...runs.map((r) => r.latency.p99)),
          runs.reduce((sum, r) => sum + r.non2xx, 0),
        );
      }
    }
    const cpu = apis.reduce(
      (sum, api, k) => sum + ((processCpuSeconds(api.child.pid) ?? 0) - cpuBefore[k]!),
      0,
    );

    const peerRate = median(figures.get('peer')!.rate);
    const oneRate = median(figures.get(`${COUNTS[0]}`)!.rate);
    console.log(`mixed workload, ${SECONDS} s × ${ROUNDS} rounds, ${CONNECTIONS} connections, medians:`);
    console.log(
      `  peer (Fastify + pg, 20-row inbox select): ${peerRate.toFixed(0)} req/s, p99 ${median(figures.get('peer')!.p99)} ms`,
    );
    for (const count of COUNTS) {
      const f = figures.get(`${count}`)!;
      const rate = median(f.rate);
      console.log(
        `  ${count} API process(es): ${rate.toFixed(0)} req/s, p97.5 ${median(f.p95)} ms, p99 ${median(f.p99)} ms, non2xx ${median(f.non2xx)}; ratio to peer ${(rate / peerRate).toFixed(2)}; scaling vs ${COUNTS[0]} process: ${(rate / oneRate).toFixed(2)}×`,
      );
    }
    console.log(`  API CPU per request (all processes): ${((cpu / served) * 1e6).toFixed(0)} µs`);

    // The design's target: p95 under 200 ms at half of the maximum, one process, open loop.
    let j = 0;
    const half = await openLoop({
      origin: apis[0]!.base,
      path: '/',
      ratePerSecond: Math.max(1, Math.floor(oneRate / 2)),
      seconds: Math.max(SECONDS, 20),
      request: () => requestFor(people, 5_000_000 + j++),
    });
    console.log(
      `  at half of the 1-process maximum (${half.achievedRate} req/s, open loop): p50 ${half.p50} ms, p95 ${half.p95} ms, p99 ${half.p99} ms, non2xx ${half.non2xx}, errors ${half.errors}`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) =>
        child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined,
      ),
    );
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
