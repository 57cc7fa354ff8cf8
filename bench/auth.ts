/**
 * Auth benchmark: `npx tsx bench/auth.ts` (DATABASE_URL of a PostgreSQL the
 * bench may create a database in; without it an embedded one is started).
 *
 * 1. Raw argon2id verifications/s with the production parameters (19 MiB, t=2),
 *    at the same concurrency as the login run, next to
 * 2. POST /v1/auth/login logins/s (argon2 + session + audit + outbox writes).
 * 3. JWT verification overhead: GET /health with and without a bearer token,
 *    and GET /v1/auth/sessions (bearer, live-session check, list) against a
 *    bench-only route running the same two queries without authentication.
 * 4. The revoked-session check (auth/revocations.ts) every verification makes:
 *    verify() of a cached token by a verifier without the check and by one
 *    with it, 10,000 sessions in the set, median of 5 alternating rounds.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from 'typebox';
import { buildApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createAccessTokens } from '../src/modules/auth/access-tokens.ts';
import { authContext } from '../src/modules/auth/context.ts';
import { createPasswordHasher } from '../src/modules/auth/passwords.ts';
import { Session } from '../src/modules/auth/schemas.ts';
import { listSessions } from '../src/modules/auth/service.ts';
import { findLiveSession } from '../src/modules/auth/sessions.ts';
import { startEmbeddedPostgres } from '../src/platform/db/embedded.ts';
import { Enveloped } from '../src/platform/http/envelope.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { generateKeySpec } from '../src/platform/security/field-encryption.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const PASSWORD = 'violet-harbor-lantern-42';

async function rawHashes(concurrency: number, seconds: number): Promise<number> {
  const hasher = await createPasswordHasher(false);
  const hashed = await hasher.hash(PASSWORD);
  const deadline = Date.now() + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        await hasher.verify(hashed, PASSWORD);
        count++;
      }
    }),
  );
  return count / seconds;
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** Server CPU time (main thread + argon2 threads) per request, in µs. */
  cpuPerRequest: number;
}

interface Load {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  duration?: number;
}

const AUTOCANNON = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url));

/**
 * autocannon runs in a child process, so this process's CPU time is the
 * server's alone: CPU per request stays meaningful on a busy, shared machine
 * where req/s swings with the neighbours.
 */
async function load(options: Load): Promise<Result> {
  const args = [AUTOCANNON, '-j', '-c', String(CONNECTIONS), '-d', String(options.duration ?? DURATION)];
  if (options.method) args.push('-m', options.method);
  for (const [key, value] of Object.entries(options.headers ?? {})) args.push('-H', `${key}=${value}`);
  if (options.body) args.push('-b', options.body);
  args.push(options.url);
  const before = process.cpuUsage();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  await new Promise((resolve) => child.on('exit', resolve));
  const cpu = process.cpuUsage(before);
  const result = JSON.parse(out);
  const total = result.requests.total || 1;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
    cpuPerRequest: (cpu.user + cpu.system) / total,
  };
}

function row(name: string, r: Result): string {
  const cpu = `${r.cpuPerRequest.toFixed(0).padStart(6)} µs CPU/req`;
  const errors = r.non2xx ? `  non-2xx ${r.non2xx}` : '';
  return `${name.padEnd(42)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms  ${cpu}${errors}`;
}

async function main() {
  const work = await mkdtemp(path.join(os.tmpdir(), 'o2o-bench-auth-'));
  let stopDatabase = async () => {};
  if (!process.env.DATABASE_URL) {
    const embedded = await startEmbeddedPostgres({ dataDir: path.join(work, 'pg'), port: 55433 });
    process.env.DATABASE_URL = embedded.url;
    stopDatabase = () => embedded.stop();
  }
  // Imported late: it reads DATABASE_URL.
  const { createTestDatabase } = await import('../test/support/database.ts');
  const database = await createTestDatabase();
  const config = parseConfig({
    NODE_ENV: 'development', // production argon2 parameters
    LOG_LEVEL: 'silent',
    DATA_DIR: work,
    ENCRYPTION_KEYS: generateKeySpec('bench'),
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    REDIS_URL: process.env.REDIS_URL,
    DATABASE_POOL_MAX: '20',
  });
  const platform = await createPlatform(config, database.url);
  const app = await buildApp(platform);
  const ctx = await authContext(platform, console);
  // The unauthenticated twin of GET /v1/auth/sessions: same two queries, no token.
  let benchUser = { id: '', sessionId: '' };
  app.get(
    '/v1/bench/sessions-public',
    { schema: { response: { 200: Enveloped(Type.Array(Session)) } } },
    async () => {
      await findLiveSession(ctx, { userId: benchUser.id }, benchUser.sessionId);
      const page = await listSessions(ctx, {
        id: benchUser.id,
        role: 'user',
        sessionId: benchUser.sessionId,
      });
      return page.items;
    },
  );
  const url = await app.listen({ port: 0, host: '127.0.0.1' });

  try {
    const email = `bench.${Date.now()}@example.test`;
    const registered = await app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email, password: PASSWORD, displayName: 'Bench', acceptTerms: true },
    });
    const { accessToken, user } = registered.json().data;
    const payload = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
    benchUser = { id: user.id, sessionId: payload.sid };
    const auth = { authorization: `Bearer ${accessToken}` };

    const cpus = os.availableParallelism();
    const threadpool = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    console.log(
      `# auth bench: ${cpus} CPUs, libuv threadpool ${threadpool}, ${CONNECTIONS} connections, ${DURATION} s per run, read pairs: median of 3 alternating rounds`,
    );
    const cpuBefore = process.cpuUsage();
    const hashes = await rawHashes(CONNECTIONS, DURATION);
    const hashCpu = process.cpuUsage(cpuBefore);
    const perHash = (hashCpu.user + hashCpu.system) / (hashes * DURATION);
    console.log(
      `${'raw argon2id verify (19 MiB, t=2, p=1)'.padEnd(42)} ${hashes.toFixed(1).padStart(6)} hashes/s ${''.padEnd(23)} ${perHash.toFixed(0).padStart(6)} µs CPU/hash`,
    );
    const login = await load({
      url: `${url}/v1/auth/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    console.log(row('POST /v1/auth/login', login));
    const ratio = ((login.rps / hashes) * 100).toFixed(0);
    console.log(
      `  logins/s ÷ hashes/s = ${ratio}%; CPU per login ÷ CPU per hash = ${(login.cpuPerRequest / perHash).toFixed(2)}`,
    );

    // Warm both paths (JIT, pool, caches) before measuring, then measure each pair back to back.
    await load({ url: `${url}/health`, headers: auth, duration: 2 });
    await load({ url: `${url}/v1/bench/sessions-public`, duration: 2 });
    await load({ url: `${url}/v1/auth/sessions`, headers: auth, duration: 2 });
    // The machine may be shared: alternate the two sides of each pair and keep the median of 3 rounds.
    const pair = async (a: Load, b: Load): Promise<[Result, Result]> => {
      const as: Result[] = [];
      const bs: Result[] = [];
      for (let round = 0; round < 3; round++) {
        as.push(await load(a));
        bs.push(await load(b));
      }
      const median = (rs: Result[]) => [...rs].sort((x, y) => x.rps - y.rps)[1]!;
      return [median(as), median(bs)];
    };
    const [healthAnon, healthAuth] = await pair(
      { url: `${url}/health` },
      { url: `${url}/health`, headers: auth },
    );
    console.log(row('GET /health (no token)', healthAnon));
    console.log(row('GET /health (bearer, verified)', healthAuth));
    const [publicRead, authRead] = await pair(
      { url: `${url}/v1/bench/sessions-public` },
      { url: `${url}/v1/auth/sessions`, headers: auth },
    );
    console.log(row('GET /v1/bench/sessions-public (same SQL)', publicRead));
    console.log(row('GET /v1/auth/sessions (bearer)', authRead));
    const overhead = (a: Result, b: Result) =>
      `${((1 - b.rps / a.rps) * 100).toFixed(1)}% fewer req/s, ${((b.cpuPerRequest / a.cpuPerRequest - 1) * 100).toFixed(1)}% more CPU per request`;
    console.log(`  JWT verification on a trivial route: ${overhead(healthAnon, healthAuth)}`);
    console.log(`  auth on a read route (target < 15%): ${overhead(publicRead, authRead)}`);
    await revocationCheck(ctx);
  } finally {
    await app.close();
    await platform.close();
    await database.drop();
    await stopDatabase();
    await rm(work, { recursive: true, force: true });
  }
}

/** ns per verify() of a cached token, without and with the revoked-session lookup. */
async function revocationCheck(ctx: Awaited<ReturnType<typeof authContext>>): Promise<void> {
  const settings = { issuer: 'urn:bench', audience: ctx.config.audience, ttlSeconds: 900 };
  const plain = createAccessTokens(ctx.keys, settings);
  const checked = createAccessTokens(ctx.keys, {
    ...settings,
    isRevoked: (sessionId) => ctx.revocations.refuses(sessionId),
  });
  await ctx.revocations.announce(Array.from({ length: 10_000 }, () => crypto.randomUUID()));
  const token = await plain.sign({ id: crypto.randomUUID(), role: 'user' }, crypto.randomUUID());
  const CALLS = 200_000;
  const round = async (verifier: typeof plain) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) await verifier.verify(token);
    return Number(process.hrtime.bigint() - started) / CALLS;
  };
  await round(plain);
  await round(checked);
  const without: number[] = [];
  const withCheck: number[] = [];
  for (let i = 0; i < 5; i++) {
    without.push(await round(plain));
    withCheck.push(await round(checked));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2]!;
  const [a, b] = [median(without), median(withCheck)];
  console.log(
    `${'verify(), cached token, no revocation check'.padEnd(42)} ${a.toFixed(0).padStart(6)} ns/call`,
  );
  console.log(
    `${'verify(), cached token, 10k revoked in set'.padEnd(42)} ${b.toFixed(0).padStart(6)} ns/call  (+${(b - a).toFixed(0)} ns)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
