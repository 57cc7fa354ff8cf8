import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Enveloped } from '../../src/platform/http/envelope.ts';
import { conflict } from '../../src/platform/http/errors.ts';
import { decodeCursor, PaginationQuery, toPage } from '../../src/platform/http/pagination.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let testApp: TestApp | undefined;
const db = () => {
  if (!testApp) throw new Error('app not started');
  return testApp.platform.database.db;
};

const NUMBERS = Array.from({ length: 45 }, (_, i) => ({ n: i + 1 }));

async function testRoutes(app: FastifyInstance) {
  app.post(
    '/echo',
    {
      schema: {
        body: Type.Object(
          { name: Type.String({ minLength: 1 }), age: Type.Integer() },
          { additionalProperties: false },
        ),
        response: { 200: Enveloped(Type.Object({ name: Type.String(), age: Type.Integer() })) },
      },
    },
    async (request) => request.body as { name: string; age: number },
  );
  // A wildcard route answers some of its paths (a file store): the others are its own 404.
  app.get('/vault/*', async (request, reply) =>
    (request.params as { '*': string })['*'] === 'here.txt' ? { file: 'here.txt' } : reply.callNotFound(),
  );
  app.get('/boom', async () => {
    throw new Error('relation "secret_table" does not exist at /srv/app/repo.ts:12');
  });
  app.get('/as-uuid', async (request) => {
    const { value } = request.query as { value: string };
    const { sql } = await import('kysely');
    return (await sql<{ id: string }>`select ${value}::uuid as id`.execute(db())).rows[0];
  });
  app.get('/taken', async () => {
    throw conflict('That handle is taken');
  });
  app.get(
    '/old',
    {
      config: {
        deprecation: { since: new Date('2026-01-01T00:00:00Z'), sunset: new Date('2027-01-01T00:00:00Z') },
      },
    },
    async () => ({ ok: true }),
  );
  app.get(
    '/numbers',
    { config: { paginated: true }, schema: { querystring: PaginationQuery } },
    async (request) => {
      const { limit = 20, cursor } = request.query as { limit?: number; cursor?: string };
      const after = decodeCursor<{ n: number }>(cursor, ['n'])?.n ?? 0;
      return toPage(NUMBERS.filter((row) => row.n > after).slice(0, limit + 1), limit, (row) => ({
        n: row.n,
      }));
    },
  );
}

function assertEnvelopeError(body: string, status: number, code: string, actualStatus: number) {
  assert.equal(actualStatus, status);
  const parsed = JSON.parse(body);
  assert.equal(parsed.success, false);
  assert.equal(parsed.data, null);
  assert.equal(parsed.errors[0].code, code);
  assert.equal(typeof parsed.errors[0].message, 'string');
  assert.match(parsed.meta.requestId, /.+/);
  assert.equal(parsed.meta.version, 'v1');
  return parsed;
}

describe('HTTP conventions', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp(
      { BODY_LIMIT_BYTES: '2048', CORS_ORIGINS: 'https://app.example' },
      { routes: testRoutes },
    );
    testApp = t;
  });
  after(() => t.close());

  it('wraps success in the envelope with request id and timestamp', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/echo', payload: { name: 'Ana', age: 30 } });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(body.data, { name: 'Ana', age: 30 });
    assert.equal(body.success, true);
    assert.equal(body.errors, null);
    assert.equal(body.meta.requestId, res.headers['x-request-id']);
    assert.ok(!Number.isNaN(Date.parse(body.meta.timestamp)));
  });

  it('echoes a given X-Request-Id and replaces an unsafe one', async () => {
    const given = await t.app.inject({ url: '/health', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(given.headers['x-request-id'], 'abc-123');
    assert.equal(given.json().meta.requestId, 'abc-123');
    const unsafe = await t.app.inject({ url: '/health', headers: { 'x-request-id': 'a b\r\nx' } });
    assert.notEqual(unsafe.headers['x-request-id'], 'a b\r\nx');
    assert.match(String(unsafe.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('rejects schema violations with a field per problem', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/echo', payload: { name: '', age: 'x' } });
    const body = assertEnvelopeError(res.body, 400, 'VALIDATION_ERROR', res.statusCode);
    assert.ok(body.errors.some((e: { field: string }) => e.field === 'name'));
  });

  it('refuses unknown fields instead of dropping them', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/echo',
      payload: { name: 'a', age: 1, role: 'admin' },
    });
    const body = assertEnvelopeError(res.body, 400, 'VALIDATION_ERROR', res.statusCode);
    assert.equal(body.errors[0].field, 'role');
  });

  it('answers malformed JSON with 400 VALIDATION_ERROR', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "a",',
    });
    assertEnvelopeError(res.body, 400, 'VALIDATION_ERROR', res.statusCode);
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/echo',
      payload: { name: 'x'.repeat(5000), age: 1 },
    });
    assertEnvelopeError(res.body, 413, 'PAYLOAD_TOO_LARGE', res.statusCode);
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    assertEnvelopeError(res.body, 415, 'UNSUPPORTED_MEDIA_TYPE', res.statusCode);
  });

  it('answers a text/plain body on a JSON route with 415, not a schema error', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    const body = assertEnvelopeError(res.body, 415, 'UNSUPPORTED_MEDIA_TYPE', res.statusCode);
    assert.match(body.errors[0].message, /application\/json/);
  });

  it('hides the internals of unexpected errors', async () => {
    const res = await t.app.inject({ url: '/v1/boom' });
    const body = assertEnvelopeError(res.body, 500, 'INTERNAL', res.statusCode);
    assert.doesNotMatch(res.body, /secret_table|repo\.ts|stack/);
    assert.equal(body.errors.length, 1);
  });

  it('answers input PostgreSQL refuses with 400, not 500', async () => {
    const res = await t.app.inject({ url: '/v1/as-uuid?value=not-a-uuid' });
    assertEnvelopeError(res.body, 400, 'VALIDATION_ERROR', res.statusCode);
    assert.doesNotMatch(res.body, /uuid|syntax/);
    const nul = await t.app.inject({ url: '/v1/as-uuid?value=%00' });
    assertEnvelopeError(nul.body, 400, 'VALIDATION_ERROR', nul.statusCode);
  });

  it('maps domain errors to their status', async () => {
    const res = await t.app.inject({ url: '/v1/taken' });
    const body = assertEnvelopeError(res.body, 409, 'CONFLICT', res.statusCode);
    assert.equal(body.errors[0].message, 'That handle is taken');
  });

  it('answers unknown routes with 404 and wrong methods with 405 and Allow', async () => {
    const missing = await t.app.inject({ url: '/v1/nothing-here' });
    assertEnvelopeError(missing.body, 404, 'NOT_FOUND', missing.statusCode);
    const wrong = await t.app.inject({ method: 'DELETE', url: '/v1/echo' });
    assertEnvelopeError(wrong.body, 405, 'METHOD_NOT_ALLOWED', wrong.statusCode);
    assert.equal(wrong.headers.allow, 'POST');
  });

  it('computes 405 from the routes registered for the path, wildcard routes like any other', async () => {
    const found = await t.app.inject({ url: '/v1/vault/here.txt' });
    assert.equal(found.statusCode, 200);
    // The route for this method found nothing: 404, not 405.
    const missing = await t.app.inject({ url: '/v1/vault/deep/missing.txt' });
    assertEnvelopeError(missing.body, 404, 'NOT_FOUND', missing.statusCode);
    const head = await t.app.inject({ method: 'HEAD', url: '/v1/vault/missing.txt' });
    assert.equal(head.statusCode, 404);
    // Another method on a path the wildcard covers: 405 with what it does take.
    const wrong = await t.app.inject({ method: 'PUT', url: '/v1/vault/deep/any.txt' });
    assertEnvelopeError(wrong.body, 405, 'METHOD_NOT_ALLOWED', wrong.statusCode);
    assert.equal(wrong.headers.allow, 'GET, HEAD');
    // Outside it, nothing is registered: 404 whatever the method.
    const elsewhere = await t.app.inject({ method: 'PUT', url: '/v1/vaults' });
    assertEnvelopeError(elsewhere.body, 404, 'NOT_FOUND', elsewhere.statusCode);
  });

  it('accepts the version from the path, the Accept header or the query', async () => {
    const path = await t.app.inject({ url: '/v1/taken' });
    const header = await t.app.inject({ url: '/taken', headers: { accept: 'application/vnd.api.v1+json' } });
    const query = await t.app.inject({ url: '/taken?version=1' });
    for (const res of [path, header, query]) assert.equal(res.statusCode, 409);
  });

  it('rejects unknown versions with 400 listing the supported ones', async () => {
    const cases = [
      { url: '/v2/taken' },
      { url: '/taken', headers: { accept: 'application/vnd.api.v9+json' } },
      { url: '/taken?version=3' },
      { url: '/v1/taken?version=2' },
    ];
    for (const request of cases) {
      const res = await t.app.inject(request);
      const body = assertEnvelopeError(res.body, 400, 'UNSUPPORTED_VERSION', res.statusCode);
      assert.match(body.errors[0].message, /supported versions: v1/);
    }
  });

  it('sets Deprecation and Sunset on deprecated routes only', async () => {
    const old = await t.app.inject({ url: '/v1/old' });
    assert.equal(old.headers.deprecation, `@${Date.parse('2026-01-01T00:00:00Z') / 1000}`);
    assert.equal(old.headers.sunset, 'Fri, 01 Jan 2027 00:00:00 GMT');
    const current = await t.app.inject({ url: '/v1/taken' });
    assert.equal(current.headers.deprecation, undefined);
  });

  it('pages with opaque cursors until the end', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=20&cursor=${cursor}` : '?limit=20';
      const res = await t.app.inject({ url: `/v1/numbers${query}` });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      seen.push(...body.data.map((row: { n: number }) => row.n));
      cursor = body.meta.nextCursor;
    } while (cursor);
    assert.deepEqual(
      seen,
      NUMBERS.map((row) => row.n),
    );
    const bad = await t.app.inject({ url: '/v1/numbers?cursor=not-a-cursor' });
    assertEnvelopeError(bad.body, 400, 'VALIDATION_ERROR', bad.statusCode);
    const tooMany = await t.app.inject({ url: '/v1/numbers?limit=1000' });
    assertEnvelopeError(tooMany.body, 400, 'VALIDATION_ERROR', tooMany.statusCode);
  });

  it('sends security headers and CORS only for configured origins', async () => {
    const allowed = await t.app.inject({ url: '/health', headers: { origin: 'https://app.example' } });
    assert.equal(allowed.headers['x-content-type-options'], 'nosniff');
    assert.ok(allowed.headers['strict-transport-security']);
    assert.equal(allowed.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
    assert.equal(allowed.headers['x-frame-options'], 'DENY');
    const docs = await t.app.inject({ url: '/docs/' });
    assert.match(String(docs.headers['content-security-policy']), /script-src 'self'/);
    // Document-only headers belong to the HTML page, not to JSON responses.
    assert.equal(docs.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(allowed.headers['cross-origin-opener-policy'], undefined);
    assert.equal(allowed.headers['x-xss-protection'], undefined);
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example');
    const other = await t.app.inject({ url: '/health', headers: { origin: 'https://evil.example' } });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  it('lets a browser on an allowed origin preflight PATCH, PUT and DELETE with the headers the API reads', async () => {
    const wanted =
      'authorization, content-type, idempotency-key, x-request-id, x-auth-transport, x-csrf-token';
    for (const method of ['PATCH', 'PUT', 'DELETE', 'POST']) {
      const res = await t.app.inject({
        method: 'OPTIONS',
        url: '/v1/couples/me',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': method,
          'access-control-request-headers': wanted,
        },
      });
      assert.equal(res.statusCode, 204, `${method}: ${res.body}`);
      assert.equal(res.headers['access-control-allow-origin'], 'https://app.example');
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      const methods = String(res.headers['access-control-allow-methods']).split(/,\s*/);
      assert.ok(methods.includes(method), `${method} allowed: ${methods}`);
      const headers = String(res.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/);
      for (const header of wanted.split(', ')) assert.ok(headers.includes(header), `${header} in ${headers}`);
    }
    const other = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/couples/me',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' },
    });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  it('sends the security and CORS headers on every answer, errors before routing included', async () => {
    const origin = { origin: 'https://app.example' };
    const answers = {
      'version in the path': await t.app.inject({ url: '/v2/taken', headers: origin }),
      'version in Accept': await t.app.inject({
        url: '/taken',
        headers: { ...origin, accept: 'application/vnd.api.v2+json' },
      }),
      'version in the query': await t.app.inject({ url: '/taken?version=2', headers: origin }),
      'unknown route': await t.app.inject({ url: '/v1/nothing-here', headers: origin }),
      'body too large': await t.app.inject({
        method: 'POST',
        url: '/v1/echo',
        headers: origin,
        payload: { name: 'x'.repeat(5000), age: 1 },
      }),
      'undecodable path': await t.app.inject({ url: '/v1/couples/invites/%E0', headers: origin }),
    };
    const statuses = Object.fromEntries(Object.entries(answers).map(([name, res]) => [name, res.statusCode]));
    assert.deepEqual(statuses, {
      'version in the path': 400,
      'version in Accept': 400,
      'version in the query': 400,
      'unknown route': 404,
      'body too large': 413,
      'undecodable path': 400,
    });
    for (const [name, res] of Object.entries(answers)) {
      assert.equal(res.headers['x-content-type-options'], 'nosniff', name);
      assert.ok(res.headers['strict-transport-security'], name);
      assert.equal(res.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'", name);
      assert.equal(res.headers['x-frame-options'], 'DENY', name);
      assert.equal(res.headers['access-control-allow-origin'], 'https://app.example', name);
      assert.match(String(res.headers['x-request-id']), /.+/, name);
    }
  });
});
