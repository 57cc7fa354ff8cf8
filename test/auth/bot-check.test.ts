import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { solveChallenge } from '../../packages/client/src/proof-of-work.ts';
import { ConfigError, parseConfig } from '../../src/config.ts';
import { createProofOfWork, leadingZeroBits } from '../../src/platform/security/bot-check/proof-of-work.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { type Call, caller, PASSWORD, uniqueEmail } from '../support/auth.ts';

const signUp = (call: Call, botCheck?: string, email = uniqueEmail('bot')) =>
  call({
    method: 'POST',
    url: '/v1/auth/register',
    payload: {
      email,
      password: PASSWORD,
      displayName: 'Person',
      acceptTerms: true,
      ...(botCheck ? { botCheck } : {}),
    },
  });

const accounts = async (t: TestApp, email: string) =>
  (
    await t.platform.database.db
      .selectFrom('auth_accounts' as never)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('email' as never, '=', email as never)
      .executeTakeFirstOrThrow()
  ).n;

describe('sign-up bot check: proof of work', () => {
  let t: TestApp;
  let second: TestApp;
  let call: Call;
  const env = { SIGNUP_BOT_CHECK: 'pow', SIGNUP_POW_DIFFICULTY: '10', SIGNUP_POW_SECRET: 'shared-by-both' };
  const challenge = async (app = t) => {
    const res = await caller(app.app)({ url: '/v1/auth/challenge' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    return res.json().data as { kind: string; challenge: string; difficulty: number; expiresAt: string };
  };

  before(async () => {
    t = await createTestApp(env);
    // A second process on the same database and Redis: a solution spent in one is spent in both.
    second = await createTestApp(env, { database: t.database });
    call = caller(t.app);
  });
  after(async () => {
    await second?.close();
    await t?.close();
  });

  it('hands out a signed challenge and accepts its solution once, across processes', async () => {
    const c = await challenge();
    assert.equal(c.kind, 'pow');
    assert.equal(c.difficulty, 10);
    assert.ok(Date.parse(c.expiresAt) > Date.now());
    const solution = await solveChallenge(c.challenge, c.difficulty);
    assert.ok(leadingZeroBits(createHash('sha256').update(solution).digest()) >= 10);
    const email = uniqueEmail('pow');
    const ok = await signUp(call, solution, email);
    assert.equal(ok.statusCode, 201, ok.body);
    const replay = await signUp(caller(second.app), solution);
    assert.equal(replay.statusCode, 400);
    assert.equal(replay.json().errors[0].code, 'BOT_CHECK_FAILED');
    assert.match(replay.json().errors[0].message, /already used/);
  });

  it('refuses a missing, malformed, forged, too-easy or unsolved proof with 400 BOT_CHECK_FAILED, creating nothing', async () => {
    const c = await challenge();
    // A nonce that does not meet the difficulty.
    let nonce = 0;
    while (leadingZeroBits(createHash('sha256').update(`${c.challenge}:${nonce}`).digest()) >= 10) nonce++;
    // The same challenge with its difficulty lowered: the MAC no longer matches.
    const easier = c.challenge.replace(/^(v1\.[^.]+)\.10\./, '$1.1.');
    const forged = await solveChallenge(easier, 1);
    for (const [label, token] of [
      ['missing', undefined],
      ['malformed', 'hello'],
      ['unsolved', `${c.challenge}:${nonce}`],
      ['forged', forged],
    ] as const) {
      const email = uniqueEmail('bot');
      const res = await signUp(call, token, email);
      assert.equal(res.statusCode, 400, `${label}: ${res.body}`);
      assert.equal(res.json().success, false);
      assert.equal(res.json().errors[0].code, 'BOT_CHECK_FAILED', label);
      assert.equal(res.json().errors[0].field, 'botCheck');
      assert.equal(Number(await accounts(t, email)), 0, `${label}: no account`);
    }
    // A failed attempt does not burn the challenge: the right answer still passes.
    const right = await signUp(call, await solveChallenge(c.challenge, c.difficulty));
    assert.equal(right.statusCode, 201, right.body);
  });

  it('refuses an expired challenge', async () => {
    let clock = Date.now();
    const spent = new Set<string>();
    const pow = createProofOfWork({
      key: Buffer.from('k'),
      difficulty: 4,
      ttlSeconds: 60,
      spend: async (id) => !spent.has(id) && Boolean(spent.add(id)),
      now: () => clock,
    });
    const issued = pow.issue();
    const solution = await solveChallenge(issued.challenge, issued.difficulty);
    clock += 61_000;
    await assert.rejects(pow.verify(solution, '127.0.0.1'), /expired/);
    clock -= 30_000;
    await pow.verify(solution, '127.0.0.1');
    await assert.rejects(pow.verify(solution, '127.0.0.1'), /already used/);
  });
});

/** A local server speaking Turnstile/hCaptcha siteverify: form POST in, `{ success, error-codes }` out. */
async function siteverifyServer(secret: string) {
  const seen: URLSearchParams[] = [];
  const used = new Set<string>();
  let failing = false;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (failing) {
        res.writeHead(502).end();
        return;
      }
      const form = new URLSearchParams(body);
      seen.push(form);
      const codes: string[] = [];
      if (
        req.method !== 'POST' ||
        !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')
      )
        codes.push('bad-request');
      if (form.get('secret') !== secret) codes.push('invalid-input-secret');
      const token = form.get('response') ?? '';
      if (!token.startsWith('pass-')) codes.push('invalid-input-response');
      else if (used.has(token)) codes.push('timeout-or-duplicate');
      if (codes.length === 0) used.add(token);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: codes.length === 0, 'error-codes': codes, hostname: 'localhost' }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/siteverify`,
    seen,
    fail: (value: boolean) => {
      failing = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('sign-up bot check: CAPTCHA provider (siteverify)', () => {
  let t: TestApp;
  let provider: Awaited<ReturnType<typeof siteverifyServer>>;

  before(async () => {
    provider = await siteverifyServer('turnstile-secret');
    t = await createTestApp({
      SIGNUP_BOT_CHECK: 'turnstile',
      SIGNUP_CAPTCHA_SECRET: 'turnstile-secret',
      SIGNUP_CAPTCHA_SITE_KEY: '1x00000000000000000000AA',
      SIGNUP_CAPTCHA_VERIFY_URL: provider.url,
    });
  });
  after(async () => {
    await t?.close();
    await provider?.close();
  });

  it('tells clients which widget to show', async () => {
    const res = await caller(t.app)({ url: '/v1/auth/challenge' });
    assert.deepEqual(res.json().data, { kind: 'turnstile', siteKey: '1x00000000000000000000AA' });
  });

  it('passes a token the provider accepts, with the secret and the client address', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      remoteAddress: '10.77.0.5',
      payload: {
        email: uniqueEmail('captcha'),
        password: PASSWORD,
        displayName: 'Person',
        acceptTerms: true,
        botCheck: 'pass-1',
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const form = provider.seen.at(-1)!;
    assert.deepEqual(
      [form.get('secret'), form.get('response'), form.get('remoteip')],
      ['turnstile-secret', 'pass-1', '10.77.0.5'],
    );
  });

  it('refuses missing, rejected and reused tokens with 400, and answers 503 when the provider is down', async () => {
    const call = caller(t.app);
    const missing = await signUp(call);
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().errors[0].code, 'BOT_CHECK_FAILED');
    const rejected = await signUp(call, 'robot');
    assert.equal(rejected.statusCode, 400);
    assert.match(rejected.json().errors[0].message, /invalid-input-response/);
    assert.equal((await signUp(call, 'pass-2')).statusCode, 201);
    const reused = await signUp(call, 'pass-2');
    assert.equal(reused.statusCode, 400);
    assert.match(reused.json().errors[0].message, /timeout-or-duplicate/);
    provider.fail(true);
    const down = await signUp(call, 'pass-3');
    provider.fail(false);
    assert.equal(down.statusCode, 503, down.body);
    assert.equal(down.json().errors[0].code, 'SERVICE_UNAVAILABLE');
    assert.ok(down.headers['retry-after']);
  });
});

describe('sign-up bot check: configuration', () => {
  it('is off in development and test, a proof of work in production, and names a missing secret', () => {
    assert.equal(parseConfig({}).auth.botCheck.mode, 'off');
    assert.equal(parseConfig({ NODE_ENV: 'test' }).auth.botCheck.mode, 'off');
    const production = parseConfig({
      NODE_ENV: 'production',
      ENCRYPTION_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      JWT_SIGNING_KEYS: 'x',
    });
    assert.equal(production.auth.botCheck.mode, 'pow');
    assert.equal(
      parseConfig({ SIGNUP_BOT_CHECK: 'hcaptcha', SIGNUP_CAPTCHA_SECRET: 's' }).auth.botCheck
        .captchaVerifyUrl,
      'https://api.hcaptcha.com/siteverify',
    );
    assert.throws(
      () => parseConfig({ SIGNUP_BOT_CHECK: 'turnstile' }),
      (error: unknown) =>
        error instanceof ConfigError && error.problems.some((p) => p.startsWith('SIGNUP_CAPTCHA_SECRET')),
    );
  });

  it('answers kind off when no check is configured, and registers without one', async () => {
    const t = await createTestApp();
    try {
      const res = await caller(t.app)({ url: '/v1/auth/challenge' });
      assert.deepEqual(res.json().data, { kind: 'off' });
      assert.equal((await signUp(caller(t.app))).statusCode, 201);
    } finally {
      await t.close();
    }
  });
});
