import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { Type } from 'typebox';
import { Enveloped } from '../../src/platform/http/envelope.ts';
import { openapi } from '../../src/platform/http/openapi.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, caller, registerUser } from '../support/auth.ts';
import { assertContractKept, contractObserver } from '../support/contract.ts';

interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  security?: Record<string, string[]>[];
  responses?: Record<string, { $ref?: string }>;
  parameters?: { in: string; name: string }[];
}
type Document = {
  openapi: string;
  servers?: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { responses?: Record<string, unknown> };
};

describe('the OpenAPI contract', () => {
  let t: TestApp;
  let document: Document;
  const operations: [string, Operation][] = [];

  before(async () => {
    t = await createTestApp();
    document = (await t.app.inject({ url: '/v1/openapi.json' })).json();
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(methods))
        operations.push([`${method.toUpperCase()} ${path}`, op]);
    }
  });
  after(() => t?.close());

  it('gives every operation a unique operationId, a tag, a summary, its security and its error answers', () => {
    assert.ok(operations.length > 80, `${operations.length} operations`);
    assert.ok((document.servers ?? []).length > 0, 'servers');
    const ids = new Set<string>();
    const problems: string[] = [];
    for (const [name, op] of operations) {
      if (!op.operationId || ids.has(op.operationId)) problems.push(`${name}: operationId ${op.operationId}`);
      ids.add(String(op.operationId));
      if (!op.tags?.length) problems.push(`${name}: no tag`);
      if (!op.summary) problems.push(`${name}: no summary`);
      if (!Array.isArray(op.security)) problems.push(`${name}: no security`);
      const statuses = Object.keys(op.responses ?? {});
      for (const status of ['400', '429', '500', '503']) {
        if (!statuses.includes(status)) problems.push(`${name}: ${status} not documented`);
      }
      if (statuses.some((s) => /xx$/i.test(s))) problems.push(`${name}: a status range instead of statuses`);
      for (const [status, answer] of Object.entries(op.responses ?? {})) {
        // Error answers come from one place: components.responses.
        if (Number(status) >= 400 && !answer.$ref?.startsWith('#/components/responses/')) {
          problems.push(`${name}: ${status} written per route`);
        }
      }
      for (const parameter of op.parameters ?? []) {
        if (parameter.in === 'path' && !name.includes(`{${parameter.name}}`)) {
          problems.push(`${name}: path parameter ${parameter.name} is not in the path`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it('derives security from the guards: love notes and the SSE stream need a token, sign-in does not', () => {
    const op = (name: string) => operations.find(([n]) => n === name)?.[1];
    const bearerOnly = [{ bearerAuth: [] }];
    for (const name of [
      'POST /v1/love-notes',
      'GET /v1/love-notes/{id}',
      'PUT /v1/love-notes/settings',
      'DELETE /v1/notifications/{id}',
    ]) {
      assert.deepEqual(op(name)?.security, bearerOnly, name);
      assert.ok(op(name)?.responses?.['401'], `${name} documents 401`);
    }
    assert.deepEqual(op('GET /v1/realtime/sse')?.security, [{ bearerAuth: [] }, { accessCookie: [] }]);
    assert.deepEqual(op('POST /v1/auth/login')?.security, []);
    assert.ok(op('GET /v1/admin/users')?.responses?.['403'], 'role-guarded routes document 403');
    assert.ok(op('DELETE /v1/notifications/{id}')?.responses?.['204'], 'a 204 route documents 204');
    assert.ok(op('GET /v1/files/{path}'), 'the wildcard is a named path parameter');
  });

  it('serves /docs a bare OpenAPI document with every operation, from the URL its page fetches', async () => {
    const page = await t.app.inject({ url: '/docs/' });
    assert.equal(page.statusCode, 200);
    const script = page.body.match(/src="([^"]*swagger-initializer\.js)"/)?.[1];
    assert.ok(script, 'the page loads the swagger initializer');
    const initializer = await t.app.inject({ url: new URL(script, 'http://x/docs/').pathname });
    assert.equal(initializer.statusCode, 200);
    // The URL Swagger UI is finally given (resolveUrl('./json') relative to /docs/).
    const relative = initializer.body.match(/url: resolveUrl\('([^']+)'\)/)?.[1];
    assert.ok(relative, initializer.body.slice(0, 500));
    const fetched = await t.app.inject({ url: new URL(relative, 'http://x/docs/').pathname });
    assert.equal(fetched.statusCode, 200);
    const spec = fetched.json() as Document & { success?: unknown };
    assert.equal(spec.success, undefined, 'not wrapped in the envelope');
    assert.equal(spec.openapi, '3.1.0');
    assert.deepEqual(Object.keys(spec.paths).sort(), Object.keys(document.paths).sort());
  });

  it('documents the answers of real requests: a 204 delete and errors on love notes', async () => {
    const call = caller(t.app);
    const user = await registerUser(call);
    const missing = await call({
      method: 'DELETE',
      url: '/v1/notifications/0190a5d2-0000-7000-8000-000000000000',
      headers: bearer(user.accessToken),
    });
    assert.ok([204, 404].includes(missing.statusCode), missing.body);
    const anonymous = await call({ url: '/v1/love-notes' });
    assert.equal(anonymous.statusCode, 401);
    // The contract observer saw these answers; none broke the document.
    assertContractKept();
  });
});

describe('the contract observer', () => {
  it('fails on a status or a body the route does not document', async () => {
    const app = Fastify();
    const contract = contractObserver();
    await app.register(openapi);
    await app.register(contract.plugin);
    app.get(
      '/v1/things/:id',
      {
        schema: {
          tags: ['things'],
          summary: 'A thing',
          params: Type.Object({ id: Type.String() }),
          response: { 200: Enveloped(Type.Object({ name: Type.String() })) },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        if (id === 'teapot') return reply.code(418 as 200).send({ tea: true } as never);
        if (id === 'wrong') return reply.header('content-type', 'application/json').send('{"success":true}');
        return reply.send({
          success: true,
          data: { name: 'x' },
          errors: null,
          meta: { requestId: 'r', timestamp: new Date().toISOString(), version: 'v1' },
        });
      },
    );
    await app.ready();
    try {
      assert.equal((await app.inject({ url: '/v1/things/ok' })).statusCode, 200);
      assert.doesNotThrow(() => assertContractKept());
      await app.inject({ url: '/v1/things/teapot' });
      assert.throws(() => assertContractKept(), /GET \/v1\/things\/:id → 418: status 418 is not documented/);
      await app.inject({ url: '/v1/things/wrong' });
      assert.throws(() => assertContractKept(), /→ 200: the body does not match/);
      // 404 is a shared answer of a route with a path parameter: documented, so fine.
      app.log.info('done');
    } finally {
      await app.close();
    }
  });
});
