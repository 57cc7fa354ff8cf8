import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createTestApp, type TestApp } from '../support/app.ts';

describe('Idempotency-Key', () => {
  let t: TestApp;
  let runs = 0;
  let failNext = false;
  before(async () => {
    t = await createTestApp(
      {},
      {
        routes: async (app: FastifyInstance) => {
          app.post('/things', { config: { idempotent: true } }, async (request, reply) => {
            runs += 1;
            await new Promise((resolve) => setTimeout(resolve, 50));
            if (failNext) {
              failNext = false;
              throw new Error('database went away');
            }
            reply.status(201);
            return { run: runs, body: request.body };
          });
        },
      },
    );
  });
  after(() => t.close());

  const post = (key: string | undefined, payload: object) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/things',
      payload,
      headers: key ? { 'idempotency-key': key } : {},
    });

  it('runs once and replays the first answer for a retry', async () => {
    const before = runs;
    const first = await post('key-1', { a: 1 });
    const retry = await post('key-1', { a: 1 });
    assert.equal(first.statusCode, 201);
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.deepEqual(retry.json().data, first.json().data);
    assert.equal(runs, before + 1);
  });

  it('refuses the same key with a different body', async () => {
    await post('key-2', { a: 1 });
    const res = await post('key-2', { a: 2 });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().errors[0].code, 'VALIDATION_ERROR');
  });

  it('lets exactly one of concurrent duplicates run', async () => {
    const before = runs;
    const results = await Promise.all(Array.from({ length: 5 }, () => post('key-3', { c: 1 })));
    assert.equal(runs, before + 1);
    const statuses = results.map((r) => r.statusCode).sort();
    assert.ok(statuses.includes(201));
    for (const status of statuses) assert.ok(status === 201 || status === 409, `unexpected ${status}`);
  });

  it('frees the key after a server error so the retry runs', async () => {
    failNext = true;
    const failed = await post('key-4', { d: 1 });
    assert.equal(failed.statusCode, 500);
    const retry = await post('key-4', { d: 1 });
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.headers['idempotent-replayed'], undefined);
  });

  it('runs every request without a key, and rejects a malformed key', async () => {
    const before = runs;
    await post(undefined, { e: 1 });
    await post(undefined, { e: 1 });
    assert.equal(runs, before + 2);
    const bad = await post('x'.repeat(300), { e: 1 });
    assert.equal(bad.statusCode, 400);
  });
});
