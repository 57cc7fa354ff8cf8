import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, type Call, caller, PASSWORD, registerUser, type SignedIn } from '../support/auth.ts';
import { example, type JsonSchema, rawJson } from '../support/hostile-values.ts';

/**
 * Strict input through the real HTTP API: a JSON body is taken as sent (no
 * coercion), unknown fields are refused, text must be well-formed and not
 * blank, a reaction is one emoji, and a template variable the note does not
 * use is refused. The walk over /v1/openapi.json holds every route to it.
 */

/** A value of another JSON type than the field's, which coercion would have turned into the right one. */
function wrongTyped(schema: JsonSchema): unknown {
  const types = new Set<string>();
  const collect = (s: JsonSchema) => {
    for (const choice of s.anyOf ?? s.oneOf ?? []) collect(choice);
    if (s.const !== undefined) types.add(typeof s.const);
    for (const value of s.enum ?? []) types.add(typeof value);
    for (const type of [s.type ?? []].flat()) types.add(type === 'integer' ? 'number' : String(type));
  };
  collect(schema);
  if (types.size === 0) return undefined;
  if (!types.has('number')) return 12345;
  if (!types.has('string')) return '1';
  if (!types.has('boolean')) return true;
  return { nested: 'object' };
}

interface Operation {
  method: string;
  path: string;
  body: JsonSchema;
}

describe('strict JSON input', () => {
  let t: TestApp;
  let call: Call;
  let admin: SignedIn;
  let partner: SignedIn;

  const send = (method: string, url: string, payload: unknown, token = admin.accessToken) =>
    // A fresh client address per request: sign-up and login limits must not answer instead.
    caller(t.app)({
      method: method as 'POST',
      url,
      headers: { ...bearer(token), 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : rawJson(payload),
    });

  before(async () => {
    t = await createTestApp();
    call = caller(t.app);
    admin = await registerUser(call, { displayName: 'Strict A' });
    partner = await registerUser(call, { displayName: 'Strict B' });
    const invite = await call({
      method: 'POST',
      url: '/v1/couples/invites',
      headers: bearer(admin.accessToken),
    });
    const code = invite.json().data.code;
    const accepted = await call({
      method: 'POST',
      url: `/v1/couples/invites/${code}/accept`,
      headers: bearer(partner.accessToken),
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    await t.platform.database.db
      .updateTable('auth_accounts')
      .set({ role: 'admin' })
      .where('id', '=', admin.id)
      .execute();
    const login = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: admin.email, password: PASSWORD },
    });
    admin = { ...admin, accessToken: login.json().data.accessToken };
  });
  after(() => t?.close());

  it('refuses a wrong-typed value and an unknown field in every JSON body of the document', async () => {
    const document = (await call({ url: '/v1/openapi.json' })).json() as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content?: Record<string, { schema: JsonSchema }> } }>
      >;
    };
    const operations: Operation[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const body = op.requestBody?.content?.['application/json']?.schema;
        if (body) operations.push({ method: method.toUpperCase(), path, body });
      }
    }
    assert.ok(operations.length > 25, `${operations.length} operations take a JSON body`);
    const failures: string[] = [];
    let checked = 0;
    for (const op of operations) {
      const url = op.path.replace(/\{[^}]+\}/g, (name) =>
        name === '{provider}'
          ? 'google'
          : name === '{code}'
            ? 'ABCDEFGHJKLM'
            : name === '{key}'
              ? 'strict-probe'
              : '0190a5d2-0000-7000-8000-000000000000',
      );
      // Only the required fields beside the one under attack: an optional neighbour cannot answer first.
      const full = (example(op.body) ?? {}) as Record<string, unknown>;
      const valid = Object.fromEntries((op.body.required ?? []).map((key) => [key, full[key]]));
      const expectFieldRefused = async (label: string, payload: unknown, field: string) => {
        checked++;
        const res = await send(op.method, url, payload);
        const fields =
          res.statusCode === 400 ? (res.json().errors as { field?: string }[]).map((e) => e.field) : [];
        if (res.statusCode !== 400 || !fields.some((f) => f === field || f?.startsWith(`${field}.`))) {
          failures.push(`${op.method} ${op.path} ${label} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        }
      };
      if (op.body.type === 'object' && op.body.properties) {
        await expectFieldRefused('unknown field', { ...valid, zzUnknown: 1 }, 'zzUnknown');
        for (const [key, field] of Object.entries(op.body.properties)) {
          const wrong = wrongTyped(field);
          if (wrong === undefined) continue;
          await expectFieldRefused(`${key}: ${JSON.stringify(wrong)}`, { ...valid, [key]: wrong }, key);
        }
      } else if (op.body.additionalProperties && typeof op.body.additionalProperties === 'object') {
        const wrong = wrongTyped(op.body.additionalProperties);
        if (wrong !== undefined) await expectFieldRefused('a record value', { any: wrong }, 'any');
      }
    }
    assert.ok(checked > 100, `checked ${checked} bodies`);
    assert.deepEqual(failures, []);
  });

  it('refuses the coerced values the fuzzer got through, naming the field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['PUT', '/v1/love-notes/settings', { readReceipts: null }, 'readReceipts'],
      ['PUT', '/v1/love-notes/settings', { readReceipts: 'true' }, 'readReceipts'],
      ['PUT', '/v1/love-notes/settings', { readReceipts: true, role: 'admin' }, 'role'],
      ['POST', '/v1/notifications/devices', { token: 0, platform: 'ios' }, 'token'],
      ['PATCH', '/v1/couples/me', { nickname: true }, 'nickname'],
      ['PATCH', '/v1/users/me', { discoverable: 'false' }, 'discoverable'],
      ['POST', '/v1/love-notes', { body: 12345 }, 'body'],
      ['POST', '/v1/love-notes', { body: ['a'] }, 'body'],
    ];
    for (const [method, url, payload, field] of cases) {
      const res = await send(method, url, payload);
      assert.equal(res.statusCode, 400, `${method} ${url} ${JSON.stringify(payload)} → ${res.body}`);
      assert.equal(res.json().errors[0].code, 'VALIDATION_ERROR');
      assert.equal(res.json().errors[0].field, field, res.body);
    }
    const settings = await call({ url: '/v1/love-notes/settings', headers: bearer(admin.accessToken) });
    assert.equal(settings.json().data.readReceipts, true, 'nothing changed');
    // Query strings are text: they are still coerced to the schema's types.
    const listed = await call({
      url: '/v1/love-notes?limit=5&favorite=false',
      headers: bearer(admin.accessToken),
    });
    assert.equal(listed.statusCode, 200, listed.body);
  });

  it('refuses a blank note and a lone surrogate anywhere in a body; a paired one is fine', async () => {
    for (const body of ['   ', '\n\t ', '\u3000']) {
      const res = await send('POST', '/v1/love-notes', { body });
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)} → ${res.body}`);
      assert.equal(res.json().errors[0].field, 'body');
    }
    for (const [url, payload, field] of [
      ['/v1/love-notes', '{"body":"hi \\ud800"}', 'body'],
      ['/v1/love-notes', '{"body":"\\udc00"}', 'body'],
      ['/v1/love-notes', '{"body":"{{x}}","variables":{"x":"\\ud83d"}}', 'variables.x'],
      ['/v1/love-notes/templates', '{"category":"morning","title":"\\ud800","body":"b"}', 'title'],
    ] as const) {
      const res = await send('POST', url, payload);
      assert.equal(res.statusCode, 400, `${payload} → ${res.body}`);
      assert.equal(res.json().errors[0].field, field, res.body);
    }
    const patched = await send('PATCH', '/v1/users/me', '{"bio":"\\ud800"}');
    assert.equal(patched.statusCode, 400, patched.body);
    const sent = await send('POST', '/v1/love-notes', '{"body":"hi \\ud83d\\ude42"}');
    assert.equal(sent.statusCode, 201, sent.body);
    assert.equal(sent.json().data.body, 'hi 🙂');
  });

  it('takes one RGI emoji as a reaction, skin tones and ZWJ sequences included, and nothing else', async () => {
    const sent = await send('POST', '/v1/love-notes', { body: 'React to me' }, partner.accessToken);
    assert.equal(sent.statusCode, 201, sent.body);
    const url = `/v1/love-notes/${sent.json().data.id}/reactions`;
    for (const emoji of ['lol', '<script>', '👍👍', 'a👍', '1', ' ', '🙂 ']) {
      const res = await send('POST', url, { emoji });
      assert.equal(res.statusCode, 400, `${emoji} → ${res.body}`);
      assert.equal(res.json().errors[0].field, 'emoji');
    }
    for (const emoji of ['❤️', '👍🏽', '👩‍❤️‍👨', '🏳️‍🌈', '🇫🇷', '👨‍👩‍👧‍👦']) {
      const res = await send('POST', url, { emoji });
      assert.equal(res.statusCode, 200, `${emoji} → ${res.body}`);
    }
    const removed = await caller(t.app)({
      method: 'DELETE',
      url: `${url}/${encodeURIComponent('👍🏽')}`,
      headers: bearer(admin.accessToken),
    });
    assert.equal(removed.statusCode, 200, removed.body);
    const bad = await caller(t.app)({
      method: 'DELETE',
      url: `${url}/lol`,
      headers: bearer(admin.accessToken),
    });
    assert.equal(bad.statusCode, 400, bad.body);
  });

  it('refuses a template variable the note does not use, naming it', async () => {
    const res = await send('POST', '/v1/love-notes', {
      body: 'Hello {{partnerName}}',
      variables: { partnerName: 'x', oops: 'y' },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().errors[0].field, 'variables.oops');
    assert.match(res.json().errors[0].message, /oops/);
    const template = await send('POST', '/v1/love-notes', {
      templateId: 'morning-1',
      variables: { nope: 'y' },
    });
    assert.equal(template.statusCode, 400, template.body);
    const fine = await send('POST', '/v1/love-notes', { body: 'Hi {{nick}}', variables: { nick: 'bee' } });
    assert.equal(fine.statusCode, 201, fine.body);
    assert.equal(fine.json().data.body, 'Hi bee');
  });
});
