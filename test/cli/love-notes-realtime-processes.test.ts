import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { generateKeySpec } from '../../src/platform/security/field-encryption.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { freePort, runCli, type Started, waitForOk } from '../support/process.ts';
import { needs, serverUrl } from '../support/servers.ts';

/**
 * Two API processes behind no shared memory: a note sent through one reaches
 * the recipient's WebSocket held by the other (Redis pub/sub), and the read
 * receipt travels back the same way.
 */
describe('love notes realtime across two server processes', needs('REDIS_URL'), () => {
  let database: TestDatabase;
  let dataDir: string;
  const servers: Started[] = [];
  const bases: string[] = [];
  before(async () => {
    database = await createTestDatabase();
    // One data directory: both processes share the generated signing keys, as replicas share configuration.
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-realtime-'));
    const keys = generateKeySpec('rt');
    for (let i = 0; i < 2; i += 1) {
      const port = await freePort();
      const server = runCli('serve', {
        DATABASE_URL: database.url,
        REDIS_URL: serverUrl('REDIS_URL'),
        DATA_DIR: dataDir,
        ENCRYPTION_KEYS: keys,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        // A process compiling its modules while the rest of the suite runs blocks its event
        // loop past the 1 s shedding threshold, and then sheds these requests with 503
        // (seen in a full run); shedding has its own test (test/platform/operations.test.ts).
        SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
      });
      servers.push(server);
      bases.push(`http://127.0.0.1:${port}`);
      await waitForOk(`http://127.0.0.1:${port}/health`, server);
    }
  });
  after(async () => {
    for (const server of servers) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const api = async (base: string, method: string, url: string, token?: string, body?: object) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as { data: Record<string, unknown> & { id: string }; errors: unknown };
    return { status: res.status, data: json.data, errors: json.errors };
  };
  const register = async (base: string) => {
    const email = `rt.${Math.random().toString(36).slice(2)}@example.test`;
    const res = await api(base, 'POST', '/v1/auth/register', undefined, {
      email,
      password: 'violet-harbor-lantern-42',
      displayName: 'RT',
      acceptTerms: true,
    });
    assert.equal(res.status, 201, JSON.stringify(res.errors ?? res.data));
    return { id: (res.data.user as { id: string }).id, token: res.data.accessToken as string };
  };
  const listen = async (base: string, token: string) => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/realtime`);
    const messages: Array<{ type: string; data?: { id?: string } }> = [];
    socket.on('message', (raw) => messages.push(JSON.parse(String(raw))));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'auth', token }));
    const next = async (type: string) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = messages.find((m) => m.type === type);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no ${type}: ${JSON.stringify(messages)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    await next('ready');
    return { socket, next };
  };

  it('delivers a note sent through one process to a socket held by the other, and the read back', async () => {
    const [one, two] = bases as [string, string];
    const alice = await register(one);
    const bob = await register(two);
    const invite = await api(one, 'POST', '/v1/couples/invites', alice.token);
    assert.equal(invite.status, 201);
    assert.equal(
      (await api(two, 'POST', `/v1/couples/invites/${invite.data.code}/accept`, bob.token)).status,
      200,
    );

    const bobSocket = await listen(two, bob.token);
    const aliceSocket = await listen(one, alice.token);
    const sent = await api(one, 'POST', '/v1/love-notes', alice.token, { body: 'across processes 💞' });
    assert.equal(sent.status, 201);
    const created = await bobSocket.next('love-note.created');
    assert.equal(created.data?.id, sent.data.id);

    assert.equal((await api(two, 'POST', `/v1/love-notes/${sent.data.id}/read`, bob.token)).status, 200);
    const read = await aliceSocket.next('love-note.read');
    assert.equal(read.data?.id, sent.data.id);
    bobSocket.socket.close();
    aliceSocket.socket.close();
  });
});
