import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { notificationsContext } from '../../src/modules/notifications/index.ts';
import { feed, loveNoteDelivered } from '../notifications/support.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

/**
 * Realtime is the platform's: one SSE and one WebSocket endpoint in every API
 * process, whatever MODULES mounts, and a reconnect resumes across every
 * module's live events (notes and notifications), in id order.
 */
async function readSse(base: string, headers: Record<string, string>, until: (text: string) => boolean) {
  const chunks: string[] = [];
  const request = http.get(`${base}/v1/realtime/sse`, { headers });
  const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
  response.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const deadline = Date.now() + 5_000;
  while (!until(chunks.join('')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  request.destroy();
  return { status: response.statusCode, text: chunks.join('') };
}

describe('realtime as a platform service', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t.close());

  it('resumes from Last-Event-ID across notes and notifications, oldest first', async () => {
    const { a, b } = await makeCouple(t);
    const since = `${Date.now() - 1}_00000000-0000-7000-8000-000000000000`;
    const sent = await t.app.inject({
      method: 'POST',
      url: '/v1/love-notes',
      headers: as(a),
      payload: { body: 'missed while offline' },
    });
    assert.equal(sent.statusCode, 201, sent.body);
    const noteId = sent.json().data.id as string;
    const ctx = await notificationsContext(t.platform);
    const { created } = await feed(ctx, 'love-note.delivered', loveNoteDelivered(b));
    assert.ok(created, 'the notification was created');

    const { status, text } = await readSse(base, { ...as(b), 'last-event-id': since }, (s) =>
      s.includes('event: notification.created'),
    );
    assert.equal(status, 200);
    const events = [...text.matchAll(/id: (\d+)_\S+\nevent: (\S+)\n/g)].map((m) => ({
      at: Number(m[1]),
      type: m[2],
    }));
    const types = events.map((e) => e.type);
    assert.ok(types.includes('love-note.created'), `a note is replayed: ${types.join(', ')}`);
    assert.ok(types.includes('notification.created'), `a notification is replayed: ${types.join(', ')}`);
    assert.ok(text.includes(noteId));
    const times = events.map((e) => e.at);
    assert.deepEqual(
      times,
      [...times].sort((x, y) => x - y),
      'replayed in time order',
    );
  });
});

describe('realtime replay and the in-app switch', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t.close());

  it('never replays a notification kept out of the inbox', async () => {
    const user = newUserId();
    const since = `${Date.now() - 1}_00000000-0000-7000-8000-000000000000`;
    const off = await t.app.inject({
      method: 'PATCH',
      url: '/v1/notifications/preferences',
      headers: as(user),
      payload: { 'love-notes': { in_app: false } },
    });
    assert.equal(off.statusCode, 200, off.body);
    const ctx = await notificationsContext(t.platform);
    const hidden = await feed(ctx, 'love-note.delivered', loveNoteDelivered(user));
    assert.equal(hidden.created.length, 1, 'the notification was stored for its other channels');
    const on = await t.app.inject({
      method: 'PATCH',
      url: '/v1/notifications/preferences',
      headers: as(user),
      payload: { 'love-notes': { in_app: true } },
    });
    assert.equal(on.statusCode, 200, on.body);
    const shown = await feed(ctx, 'love-note.delivered', loveNoteDelivered(user));
    const { text } = await readSse(base, { ...as(user), 'last-event-id': since }, (s) =>
      s.includes(shown.created[0]!.id),
    );
    assert.ok(text.includes(shown.created[0]!.id), 'the inbox item is replayed');
    assert.ok(!text.includes(hidden.created[0]!.id), 'the item kept out of the inbox is not');
  });
});

describe('realtime in a process that mounts only notifications', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await createTestApp({ MODULES: 'notifications' }, { routes: testAuth });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t.close());

  it('serves the SSE endpoint: 401 without a token, a stream with one', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/realtime/sse' })).statusCode, 401);
    const user = newUserId();
    const ctx = await notificationsContext(t.platform);
    await feed(ctx, 'love-note.delivered', loveNoteDelivered(user));
    const { status, text } = await readSse(
      base,
      { ...as(user), 'last-event-id': `${Date.now() - 60_000}_00000000-0000-7000-8000-000000000000` },
      (s) => s.includes('event: notification.created'),
    );
    assert.equal(status, 200);
    assert.match(text, /event: notification\.created/);
  });
});
