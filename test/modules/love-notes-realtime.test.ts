import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { v7 } from 'uuid';
import WebSocket from 'ws';
import { createLiveHub, type LiveEvent } from '../../src/platform/realtime/live-hub.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { caller, PASSWORD, registerUser, uniqueEmail } from '../support/auth.ts';
import { makeCouple } from '../support/love-notes.ts';
import { needs, serverUrl } from '../support/servers.ts';
import { as, testAuth } from '../support/test-auth.ts';

/** Collects a socket's messages; `next(type)` waits for the next one of that type. */
function collector(socket: WebSocket) {
  const messages: Array<{ type: string; id?: string; data?: { id?: string; body?: string } }> = [];
  socket.on('message', (raw) => messages.push(JSON.parse(String(raw))));
  return {
    messages,
    async next(type: string, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = messages.findIndex((m) => m.type === type);
        if (index >= 0) return messages.splice(index, 1)[0]!;
        if (Date.now() > deadline) throw new Error(`no ${type} message; got ${JSON.stringify(messages)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

async function openSocket(base: string) {
  const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/realtime`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return socket;
}

describe('love notes realtime', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t.close());

  /** Two registered users (real access tokens for the socket), linked as a couple. */
  async function signedInCouple() {
    const call = caller(t.app);
    const [ua, ub] = [await registerUser(call), await registerUser(call)];
    const pair = await makeCouple(t, { ids: [ua.id, ub.id] });
    return { ...pair, tokenA: ua.accessToken, tokenB: ub.accessToken };
  }

  const send = (userId: string, body: string) =>
    t.app.inject({ method: 'POST', url: '/v1/love-notes', payload: { body }, headers: as(userId) });

  it('authenticates with the first message, pushes a new note to the recipient and the read to the sender', async () => {
    const { a, b, tokenA, tokenB } = await signedInCouple();
    const recipient = await openSocket(base);
    const sender = await openSocket(base);
    const inbox = collector(recipient);
    const outbox = collector(sender);
    recipient.send(JSON.stringify({ type: 'auth', token: tokenB }));
    sender.send(JSON.stringify({ type: 'auth', token: tokenA }));
    await inbox.next('ready');
    await outbox.next('ready');
    const id = (await send(a, 'live 💌')).json().data.id;
    const created = await inbox.next('love-note.created');
    assert.equal(created.data?.id, id);
    assert.equal(created.data?.body, 'live 💌');
    assert.ok(created.id);
    await t.app.inject({ method: 'POST', url: `/v1/love-notes/${id}/read`, headers: as(b) });
    assert.equal((await outbox.next('love-note.read')).data?.id, id);
    recipient.close();
    sender.close();
  });

  it('closes a socket whose first message is not a valid auth', async () => {
    for (const first of [
      'not json',
      JSON.stringify({ type: 'hello' }),
      JSON.stringify({ type: 'auth', token: 'forged' }),
    ]) {
      const socket = await openSocket(base);
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      socket.send(first);
      assert.ok([4400, 4401].includes(await closed), first);
    }
  });

  it('replays what a reconnecting client missed after its last event id', async () => {
    const { a, tokenB } = await signedInCouple();
    const first = (await send(a, 'seen')).json().data;
    const socket = await openSocket(base);
    const inbox = collector(socket);
    socket.send(JSON.stringify({ type: 'auth', token: tokenB }));
    await inbox.next('ready');
    const lastSeen = (
      await (async () => {
        await send(a, 'seen live');
        return inbox.next('love-note.created');
      })()
    ).id as string;
    socket.close();
    const missed = [(await send(a, 'missed 1')).json().data.id, (await send(a, 'missed 2')).json().data.id];

    const again = await openSocket(base);
    const replay = collector(again);
    again.send(JSON.stringify({ type: 'auth', token: tokenB, lastEventId: lastSeen }));
    await replay.next('ready');
    const got = [
      (await replay.next('love-note.created')).data?.id,
      (await replay.next('love-note.created')).data?.id,
    ];
    assert.deepEqual(got, missed);
    assert.ok(!replay.messages.some((m) => m.data?.id === first.id));
    again.close();
  });

  it('SSE fallback streams with ids and resumes from Last-Event-ID', async () => {
    const { a, b } = await makeCouple(t);
    const before = (await send(a, 'before')).json().data;
    const chunks: string[] = [];
    const request = http.get(`${base}/v1/realtime/sse`, {
      headers: { ...as(b), 'last-event-id': `${new Date(before.deliveredAt).getTime() - 1}_${v7()}` },
    });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /text\/event-stream/);
    response.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    const live = (await send(a, 'during')).json().data;
    const deadline = Date.now() + 5_000;
    while (!chunks.join('').includes(live.id) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const text = chunks.join('');
    assert.ok(text.includes(before.id), 'replayed the note sent before connecting');
    assert.ok(text.includes(live.id), 'streamed the live note');
    assert.match(text, /id: \d+_[0-9a-f-]{36}\nevent: love-note\.created\ndata: /);
    request.destroy();
    const anonymous = await t.app.inject({ method: 'GET', url: '/v1/realtime/sse' });
    assert.equal(anonymous.statusCode, 401);
  });
});

describe('love notes realtime fan-out over Redis', needs('REDIS_URL'), () => {
  it('a message pushed through one hub reaches a subscriber of another (as two processes would)', async () => {
    const redis = { kind: 'single' as const, url: serverUrl('REDIS_URL')! };
    const one = createLiveHub(redis);
    const two = createLiveHub(redis);
    try {
      const user = v7();
      const received: LiveEvent[] = [];
      const unsubscribe = two.subscribe(user, (event) => received.push(event));
      await new Promise((resolve) => setTimeout(resolve, 100));
      one.push(user, {
        type: 'love-note.read',
        id: `${Date.now()}_${v7()}`,
        data: { id: v7(), readAt: new Date().toISOString() },
      });
      const deadline = Date.now() + 3_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(received.length, 1);
      assert.equal(received[0]?.type, 'love-note.read');
      unsubscribe();
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe('SSE with the web session cookie', () => {
  const APP_ORIGIN = 'https://app.example';
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await createTestApp({ CORS_ORIGINS: APP_ORIGIN }, { routes: testAuth });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t.close());

  type Cookie = { name: string; value: string; httpOnly?: boolean; sameSite?: string; path?: string };

  /** A web sign-up (cookie mode), linked with a partner; returns the access cookie it was given. */
  async function webCouple() {
    const call = caller(t.app);
    const res = await call({
      method: 'POST',
      url: '/v1/auth/register',
      headers: { 'x-auth-transport': 'cookie' },
      payload: { email: uniqueEmail('web'), password: PASSWORD, displayName: 'Web', acceptTerms: true },
    });
    assert.equal(res.statusCode, 201, res.body);
    const access = (res.cookies as Cookie[]).find((c) => c.name === 'o2o_access');
    assert.ok(access, 'cookie mode sets the access cookie');
    const partner = await registerUser(call);
    const pair = await makeCouple(t, { ids: [partner.id, res.json().data.user.id] });
    return {
      ...pair,
      access,
      csrf: res.json().data.csrfToken as string,
      call,
      cookies: res.cookies as Cookie[],
    };
  }

  /** Opens the stream with these headers; resolves the status, headers and a reader of the text so far. */
  async function openStream(headers: Record<string, string>) {
    const chunks: string[] = [];
    const request = http.get(`${base}/v1/realtime/sse`, { headers });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
    response.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    const until = async (needle: string) => {
      const deadline = Date.now() + 5_000;
      while (!chunks.join('').includes(needle) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      return chunks.join('');
    };
    await new Promise((resolve) => response.once('data', resolve).once('end', resolve));
    return { response, text: () => chunks.join(''), until, close: () => request.destroy() };
  }

  it('streams to a browser that sends only the cookie, from an allowed origin or its own', async () => {
    const { a, b, access } = await webCouple();
    assert.equal(access.httpOnly, true);
    assert.equal(access.sameSite, 'Strict');
    assert.equal(access.path, '/v1/realtime', 'the cookie goes to the realtime routes only');
    const cookie = `o2o_access=${access.value}`;

    const cross = await openStream({ cookie, origin: APP_ORIGIN });
    assert.equal(cross.response.statusCode, 200);
    // A cross-origin EventSource with credentials needs these to read the stream.
    assert.equal(cross.response.headers['access-control-allow-origin'], APP_ORIGIN);
    assert.equal(cross.response.headers['access-control-allow-credentials'], 'true');
    const same = await openStream({ cookie });
    assert.equal(same.response.statusCode, 200);
    const note = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/love-notes',
        payload: { body: 'by cookie' },
        headers: as(a),
      })
    ).json().data;
    assert.equal(note.recipientId, b);
    assert.ok((await cross.until(note.id)).includes(note.id));
    assert.ok((await same.until(note.id)).includes(note.id));
    cross.close();
    same.close();
  });

  it('refuses the cookie from another origin, a forged one, and on routes that did not opt in', async () => {
    const { access } = await webCouple();
    const cookie = `o2o_access=${access.value}`;
    const evil = await openStream({ cookie, origin: 'https://evil.example' });
    assert.equal(evil.response.statusCode, 403);
    assert.match(evil.text(), /FORBIDDEN/);
    const forged = await openStream({ cookie: 'o2o_access=forged' });
    assert.equal(forged.response.statusCode, 401);
    const none = await openStream({});
    assert.equal(none.response.statusCode, 401);
    // Elsewhere the cookie is not a credential: REST takes the Authorization header only.
    const rest = await t.app.inject({ method: 'GET', url: '/v1/love-notes', headers: { cookie } });
    assert.equal(rest.statusCode, 401);
  });

  it('a cookie refresh renews the access cookie and logout clears it', async () => {
    const { access, csrf, cookies, call } = await webCouple();
    const refresh = cookies.find((c) => c.name === 'o2o_refresh')!;
    const renewed = await call({
      method: 'POST',
      url: '/v1/auth/refresh',
      cookies: { o2o_refresh: refresh.value },
      headers: { 'x-csrf-token': csrf, 'x-auth-transport': 'cookie' },
    });
    assert.equal(renewed.statusCode, 200, renewed.body);
    const next = (renewed.cookies as Cookie[]).find((c) => c.name === 'o2o_access');
    assert.ok(next && next.value !== access.value);
    const stream = await openStream({ cookie: `o2o_access=${next.value}` });
    assert.equal(stream.response.statusCode, 200);
    stream.close();
    const logout = await call({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: { authorization: `Bearer ${renewed.json().data.accessToken}` },
    });
    assert.ok(logout.statusCode < 300, logout.body);
    const cleared = (logout.cookies as Array<Cookie & { maxAge?: number; expires?: Date }>).find(
      (c) => c.name === 'o2o_access',
    );
    assert.ok(cleared && cleared.value === '' && cleared.path === '/v1/realtime');
  });
});
