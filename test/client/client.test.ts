import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiError, createApiClient, type Session, unwrap } from '@one2one/client';
import { createTestApp, type TestApp } from '../support/app.ts';
import { PASSWORD, uniqueEmail } from '../support/auth.ts';

describe('the typed client against the real API', () => {
  let t: TestApp;
  let baseUrl: string;

  before(async () => {
    t = await createTestApp({ RATE_LIMIT_ENABLED: 'false', AUTH_REGISTRATIONS_PER_IP_PER_HOUR: '0' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t?.close());

  it('types answers from the document, and refreshes an expired token once for every call waiting on it', async () => {
    const anonymous = createApiClient({ baseUrl });
    const email = uniqueEmail('client');
    const registered = await unwrap(
      anonymous.POST('/v1/auth/register', {
        body: { email, password: PASSWORD, displayName: 'Client Test', acceptTerms: true },
      }),
    );
    assert.equal(registered.user.email, email);

    // The session starts with a token the API no longer accepts, as after a long sleep.
    let accessToken: string | null = 'expired.token.value';
    let refreshToken = registered.refreshToken!;
    let refreshes = 0;
    const session: Session = {
      accessToken: () => accessToken,
      async refresh() {
        refreshes++;
        const fresh = await unwrap(anonymous.POST('/v1/auth/refresh', { body: { refreshToken } }));
        accessToken = fresh.accessToken;
        refreshToken = fresh.refreshToken!;
        return accessToken;
      },
    };
    const api = createApiClient({ baseUrl, session });
    const answers = await Promise.all(Array.from({ length: 5 }, () => unwrap(api.GET('/v1/users/me'))));
    for (const me of answers) assert.equal(me.id, registered.user.id);
    assert.equal(refreshes, 1, 'five calls that got 401 share one refresh');
  });

  it('turns an error envelope into an ApiError with its stable code, field and request id', async () => {
    const api = createApiClient({ baseUrl });
    const failure = await unwrap(
      api.POST('/v1/auth/register', {
        body: { email: 'not-an-email', password: PASSWORD, displayName: 'X', acceptTerms: true },
      }),
    ).catch((error: unknown) => error);
    assert.ok(failure instanceof ApiError);
    assert.equal(failure.status, 400);
    assert.equal(failure.code, 'VALIDATION_ERROR');
    assert.ok(failure.fieldMessage('email'), 'the message names the email field');
    assert.match(failure.requestId ?? '', /^[0-9a-f-]{36}$/);
  });

  it('ends the session when the refresh is refused', async () => {
    let signedOut = 0;
    const api = createApiClient({
      baseUrl,
      session: { accessToken: () => 'bad', refresh: async () => null, onSignedOut: () => signedOut++ },
    });
    const { response } = await api.GET('/v1/users/me');
    assert.equal(response.status, 401);
    assert.equal(signedOut, 1);
  });
});

/** A peer that answers from a script, recording what it received. */
function scriptedPeer(script: Array<(res: ServerResponse) => void>) {
  const seen: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req);
    const next =
      script.shift() ?? ((r: ServerResponse) => json(r, 200, { success: true, data: { ok: true } }));
    req.resume();
    req.on('end', () => next(res));
  });
  return { server, seen };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

const envelopeError = (code: string) => ({
  success: false,
  data: null,
  errors: [{ code, message: code }],
  meta: {},
});

describe('the client when the API is unwell', () => {
  const waits: number[] = [];
  const resilience = { sleep: async (ms: number) => void waits.push(ms), random: () => 0.5, backoffMs: 100 };
  let peer: ReturnType<typeof scriptedPeer>;
  let baseUrl: string;

  async function startPeer(script: Array<(res: ServerResponse) => void>) {
    peer = scriptedPeer(script);
    await new Promise<void>((resolve) => peer.server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(peer.server.address() as AddressInfo).port}`;
    waits.length = 0;
  }
  after(() => peer?.server.close());

  it('retries 503 with exponential backoff and jitter, keeping one request id', async () => {
    await startPeer([
      (res) => json(res, 503, envelopeError('SERVICE_UNAVAILABLE')),
      (res) => json(res, 503, envelopeError('SERVICE_UNAVAILABLE')),
    ]);
    const api = createApiClient({ baseUrl, ...resilience });
    const { response } = await api.GET('/health');
    assert.equal(response.status, 200);
    assert.deepEqual(waits, [50, 100], 'half (jitter 0.5) of 100 ms, then of 200 ms');
    const ids = new Set(peer.seen.map((req) => req.headers['x-request-id']));
    assert.equal(peer.seen.length, 3);
    assert.equal(ids.size, 1, 'every attempt of one call carries the same request id');
    peer.server.close();
  });

  it('honours 429 Retry-After, and hands back a wait longer than it will sleep', async () => {
    await startPeer([(res) => json(res, 429, envelopeError('RATE_LIMITED'), { 'retry-after': '2' })]);
    const api = createApiClient({ baseUrl, ...resilience });
    assert.equal((await api.GET('/health')).response.status, 200);
    assert.deepEqual(waits, [2000]);
    peer.server.close();

    await startPeer([(res) => json(res, 429, envelopeError('RATE_LIMITED'), { 'retry-after': '3600' })]);
    const failure = await unwrap(createApiClient({ baseUrl, ...resilience }).GET('/v1/users/me')).catch(
      (e) => e,
    );
    assert.ok(failure instanceof ApiError);
    assert.equal(failure.status, 429);
    assert.equal(failure.retryAfterSeconds, 3600);
    assert.deepEqual(waits, [], 'an hour is the caller’s to show, not to sleep');
    peer.server.close();
  });

  it('does not repeat a non-idempotent call after a 502, but does with an Idempotency-Key', async () => {
    await startPeer([(res) => json(res, 502, envelopeError('BAD_GATEWAY'))]);
    const api = createApiClient({ baseUrl, ...resilience });
    const plain = await api.POST('/v1/love-notes', { body: { content: 'hi' } as never });
    assert.equal(plain.response.status, 502);
    assert.equal(peer.seen.length, 1);
    peer.server.close();

    await startPeer([(res) => json(res, 502, envelopeError('BAD_GATEWAY'))]);
    const keyed = await createApiClient({ baseUrl, ...resilience }).POST('/v1/love-notes', {
      body: { content: 'hi' } as never,
      headers: { 'idempotency-key': 'note-1' },
    });
    assert.equal(keyed.response.status, 200);
    assert.equal(peer.seen.length, 2);
    peer.server.close();
  });

  it('limits itself: a burst beyond the bucket and its queue fails in the client without reaching the API', async () => {
    await startPeer([]);
    const api = createApiClient({ baseUrl, rateLimit: { perSecond: 50, burst: 2, maxQueue: 3 } });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => unwrap(api.GET('/health'))));
    const refused = results.filter(
      (r) =>
        r.status === 'rejected' && r.reason instanceof ApiError && r.reason.code === 'CLIENT_RATE_LIMITED',
    );
    assert.equal(refused.length, 3, '2 at once, 3 queued, 3 refused');
    assert.equal(peer.seen.length, 5);
    peer.server.close();
  });
});
