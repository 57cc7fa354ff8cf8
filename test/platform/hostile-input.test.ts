import assert from 'node:assert/strict';
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, type Call, caller, PASSWORD, registerUser, type SignedIn } from '../support/auth.ts';
import {
  arbitraryFor,
  CURSORS,
  deeplyNested,
  example,
  HOSTILE_STRINGS,
  HUGE_STRING,
  IDEMPOTENCY_KEYS,
  type JsonSchema,
  PATH_SEGMENTS,
  QUERY_VALUES,
  rawJson,
  WRONG_TYPES,
} from '../support/hostile-values.ts';

/**
 * The house rule across the whole API, from the OpenAPI document: hostile
 * input gets a 4xx in the envelope with an UPPER_SNAKE code, never a 500, and
 * a rejected write changes no row. FUZZ_SEED reproduces a failing run; every
 * failure message carries the seed and the exact request.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 12);

/** Write routes whose module tables are fingerprinted around every rejected request. */
const WATCHED: Record<string, string> = {
  'POST /v1/love-notes': 'love_notes_',
  'PATCH /v1/love-notes/{id}': 'love_notes_',
  'POST /v1/love-notes/templates': 'love_notes_',
  'PUT /v1/love-notes/settings': 'love_notes_',
  'PATCH /v1/users/me': 'users_',
  'PATCH /v1/users/me/preferences': 'users_',
  'POST /v1/users/me/consents': 'users_',
  'PATCH /v1/couples/me': 'couples_',
  'POST /v1/notifications/devices': 'notifications_',
  'PATCH /v1/notifications/preferences': 'notifications_',
  'POST /v1/notifications/push-subscriptions': 'notifications_',
  'POST /v1/auth/register': 'auth_',
  'POST /v1/auth/password/change': 'auth_',
  'POST /v1/admin/feature-flags': 'feature_flags_',
  'PUT /v1/admin/feature-flags/{key}': 'feature_flags_',
  'PATCH /v1/admin/feature-flags/{key}': 'feature_flags_',
};

interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string; schema: JsonSchema }[];
  body?: JsonSchema;
  hasBody: boolean;
}

interface Variant {
  label: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
  /** Per-field body attacks are sent signed in only; the rest also anonymously. */
  signedInOnly?: boolean;
}

interface Fixture {
  a: SignedIn;
  b: SignedIn;
}

/** Scheduling has to stay within a year of whatever today is. */
const daysAhead = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const JSON_TYPE = { 'content-type': 'application/json' };

function operationsOf(document: {
  paths: Record<string, Record<string, Record<string, unknown>>>;
}): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = (op.requestBody as { content?: Record<string, { schema?: JsonSchema }> } | undefined)
        ?.content;
      out.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters as Operation['params'] | undefined) ?? [],
        body: content?.['application/json']?.schema,
        hasBody: method !== 'get' && method !== 'head',
      });
    }
  }
  return out;
}

/** Percent-encodes UTF-8 bytes (encodeURIComponent throws on a lone surrogate). */
const encode = (value: unknown) =>
  [...Buffer.from(String(value), 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');

const VALID_SEGMENT: Record<string, string> = {
  provider: 'google',
  code: 'ABCDEFGHJKLM',
  emoji: encode('🙂'),
  // A flag of its own: the walk must reach the body checks without switching off a flag the app reads.
  key: 'hostile-probe',
};

/** A scheduled note of the fixture's couple, so /love-notes/{id} routes reach their body checks. */
let noteId = randomUUID();

function urlFor(op: Operation, segments: Record<string, string> = {}, query = ''): string {
  const path = op.path.replace(
    /\{([^}]+)\}/g,
    (_, name: string) =>
      segments[name] ??
      VALID_SEGMENT[name] ??
      (name === 'id' && op.path.startsWith('/v1/love-notes/{id}') ? noteId : randomUUID()),
  );
  return query ? `${path}?${query}` : path;
}

/**
 * Bodies that the route accepts (or refuses only for the one field under
 * attack), where the schema alone cannot say: the hostile value of one field
 * should reach the service, not stop at a missing or wrong neighbour.
 */
function acceptedBody(op: Operation, fixture: Fixture): Record<string, unknown> | undefined {
  const p256dh = createECDH('prime256v1');
  p256dh.generateKeys();
  const bodies: Record<string, Record<string, unknown>> = {
    'POST /v1/auth/login': { email: fixture.b.email, password: PASSWORD },
    'POST /v1/auth/password/change': { currentPassword: PASSWORD, newPassword: 'amber-meadow-compass-77' },
    'POST /v1/auth/mfa/totp/disable': { password: PASSWORD },
    'PATCH /v1/users/me': {
      displayName: 'Fuzz A',
      handle: `fuzz_${randomUUID().slice(0, 8)}`,
      birthday: '1990-05-01',
      pronouns: 'they/them',
      timeZone: 'Europe/Paris',
      locale: 'en-GB',
      loveLanguages: ['quality-time'],
      bio: 'hello',
      discoverable: false,
    },
    'POST /v1/users/me/consents': { type: 'terms', version: '2026-01-01', granted: true },
    'POST /v1/notifications/push-subscriptions': {
      endpoint: 'https://push.example.test/send/abc',
      expirationTime: null,
      keys: { p256dh: p256dh.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') },
    },
    'POST /v1/love-notes': {
      body: 'Hello {{name}}, {{daysTogether}} days',
      mood: 'tender',
      variables: { name: 'you' },
      scheduledAt: daysAhead(30).slice(0, 16),
      timeZone: 'Europe/Paris',
      recurrence: 'FREQ=DAILY;COUNT=3',
    },
    'PATCH /v1/love-notes/{id}': {
      body: 'Changed',
      mood: 'tender',
      scheduledAt: daysAhead(40).slice(0, 16),
      timeZone: 'Europe/Paris',
      recurrence: 'FREQ=WEEKLY;COUNT=2',
    },
  };
  const known = bodies[`${op.method} ${op.path}`];
  if (known) return known;
  return op.body ? (example(op.body) as Record<string, unknown>) : undefined;
}

function variantsFor(op: Operation, fixture: Fixture): Variant[] {
  const { method } = op;
  const validBody = acceptedBody(op, fixture);
  const jsonBody = validBody === undefined ? {} : { headers: JSON_TYPE, payload: rawJson(validBody) };
  const out: Variant[] = [];

  for (const param of op.params.filter((p) => p.in === 'path')) {
    for (const segment of PATH_SEGMENTS) {
      out.push({
        label: `path ${param.name}`,
        method,
        url: urlFor(op, { [param.name]: segment }),
        ...jsonBody,
      });
    }
  }

  const queryParams = op.params.filter((p) => p.in === 'query');
  for (const param of queryParams) {
    const values = param.name === 'cursor' ? [...QUERY_VALUES, ...CURSORS] : QUERY_VALUES;
    for (const value of values) {
      out.push({
        label: `query ${param.name}`,
        method,
        url: urlFor(op, {}, `${param.name}=${value}`),
        ...jsonBody,
      });
    }
    out.push({
      label: `query ${param.name} repeated`,
      method,
      url: urlFor(op, {}, `${param.name}=1&${param.name}=abc&${param.name}[]=x&${param.name}[a]=y`),
      ...jsonBody,
    });
  }
  out.push({
    label: 'unknown query',
    method,
    url: urlFor(op, {}, 'zz=1&__proto__[x]=1&constructor=1'),
    ...jsonBody,
  });

  if (op.hasBody) {
    const url = urlFor(op);
    const body = (label: string, payload: string | Buffer, headers: Record<string, string> = JSON_TYPE) =>
      out.push({ label, method, url, headers, payload });
    body('body: empty with json type', '');
    body('body: invalid json', '{"a":1');
    body('body: null', 'null');
    body('body: array', '[]');
    body('body: string', '"text"');
    body('body: number 1e309', '1e309');
    body(
      'body: invalid UTF-8',
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]),
    );
    body('body: deeply nested', rawJson(deeplyNested(2000)));
    body('body: nested past any stack', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
    body('body: array nested past any stack', `${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    body(
      'body: 1 MB+ string',
      rawJson({ ...validBody, [Object.keys(op.body?.properties ?? { x: 0 })[0]!]: HUGE_STRING }),
    );
    body('body: text/plain', 'hello', { 'content-type': 'text/plain' });
    body('body: form', 'a=b&c=%00', { 'content-type': 'application/x-www-form-urlencoded' });
    body(
      'body: multipart without a file',
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n',
      {
        'content-type': 'multipart/form-data; boundary=x',
      },
    );
    body('body: multipart without boundary', 'garbage', { 'content-type': 'multipart/form-data' });
    body('body: json as utf-16', rawJson(validBody ?? {}), {
      'content-type': 'application/json; charset=utf-16',
    });
    body('body: content-type garbage', rawJson(validBody ?? {}), { 'content-type': ';;;/' });
    body('body: __proto__', '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}');
    for (const key of IDEMPOTENCY_KEYS) {
      body('idempotency-key', rawJson(validBody ?? {}), { ...JSON_TYPE, 'idempotency-key': key });
    }
  }

  if (op.body && validBody) {
    const url = urlFor(op);
    const field = (label: string, payload: unknown) =>
      out.push({ label, method, url, headers: JSON_TYPE, payload: rawJson(payload), signedInOnly: true });
    for (const key of op.body.required ?? []) {
      const { [key]: _, ...rest } = validBody;
      field(`missing ${key}`, rest);
    }
    field('extra field', { ...validBody, zzExtra: 1 });
    for (const key of Object.keys(op.body.properties ?? {})) {
      for (const value of [...WRONG_TYPES, ...HOSTILE_STRINGS]) {
        field(`field ${key}`, { ...validBody, [key]: value });
      }
    }
  }
  return out;
}

async function inject(call: Call, options: InjectOptions): Promise<LightMyRequestResponse | undefined> {
  const stream = /\/realtime\/sse|\/analytics\/live/.test(String(options.url));
  try {
    // A stream that opened never ends: an abort then means "accepted", which is fine.
    return await call(stream ? { ...options, signal: AbortSignal.timeout(1500) } : options);
  } catch (error) {
    if (stream && (error as Error).name === 'AbortError') return undefined;
    throw error;
  }
}

function problemWith(res: LightMyRequestResponse): string | undefined {
  if (res.statusCode >= 500) return 'answered 5xx';
  if (res.statusCode < 400) return undefined;
  let parsed: { success?: unknown; errors?: { code?: unknown }[] };
  try {
    parsed = JSON.parse(res.body);
  } catch {
    return 'a 4xx without a JSON envelope';
  }
  if (parsed.success !== false) return 'a 4xx without success: false';
  const code = parsed.errors?.[0]?.code;
  if (typeof code !== 'string' || !UPPER_SNAKE.test(code))
    return `a 4xx whose code ${String(code)} is not UPPER_SNAKE`;
  return undefined;
}

const describeRequest = (
  v: { method: string; url: string; label: string; payload?: unknown },
  res: LightMyRequestResponse,
) =>
  `${v.method} ${v.url.slice(0, 200)} [${v.label}] body=${String(v.payload ?? '').slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;

describe(`hostile input across the whole API (FUZZ_SEED=${SEED})`, () => {
  let t: TestApp;
  let call: Call;
  let fixture: Fixture;
  let operations: Operation[];

  async function makeFixture(): Promise<Fixture> {
    // Its own address: the fuzzed sign-ups must not spend the fixture's sign-up allowance.
    const call = caller(t.app);
    const a = await registerUser(call, { displayName: 'Fuzz A' });
    const b = await registerUser(call, { displayName: 'Fuzz B' });
    const invite = await call({ method: 'POST', url: '/v1/couples/invites', headers: bearer(a.accessToken) });
    assert.equal(invite.statusCode, 201, invite.body);
    const accept = await call({
      method: 'POST',
      url: `/v1/couples/invites/${invite.json().data.code}/accept`,
      headers: bearer(b.accessToken),
    });
    assert.equal(accept.statusCode, 200, accept.body);
    // An admin with a partner reaches the admin routes and the couple routes alike.
    await t.platform.database.db
      .updateTable('auth_accounts')
      .set({ role: 'admin' })
      .where('id', '=', a.id)
      .execute();
    const login = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: a.email, password: PASSWORD },
    });
    assert.equal(login.statusCode, 200, login.body);
    const accessToken = login.json().data.accessToken;
    const note = await call({
      method: 'POST',
      url: '/v1/love-notes',
      headers: bearer(accessToken),
      payload: { body: 'Later', scheduledAt: daysAhead(60) },
    });
    assert.equal(note.statusCode, 202, note.body);
    noteId = note.json().data.id;
    return { a: { ...a, accessToken }, b };
  }

  /** Logout, unlinking or erasure by an earlier route must not blunt the later ones. */
  async function ensureFixture(): Promise<void> {
    const res = await call({ url: '/v1/couples/me', headers: bearer(fixture.a.accessToken) });
    if (res.statusCode !== 200 || res.json().data.status !== 'active') fixture = await makeFixture();
    const note = await call({ url: `/v1/love-notes/${noteId}`, headers: bearer(fixture.a.accessToken) });
    if (note.statusCode !== 200 || note.json().data.status !== 'scheduled') fixture = await makeFixture();
  }

  /**
   * A hash of every row of the module's tables, in one round trip. The
   * idempotency record is left out: storing the answer to a keyed request,
   * 4xx included, is its documented job (src/platform/http/idempotency.ts).
   * So is auth's audit log: a refused password check (a wrong current password
   * once an earlier variant changed it) is recorded as a failure on purpose.
   */
  async function fingerprint(prefix: string): Promise<string> {
    const tables = await sql<{ tablename: string }>`
      select tablename from pg_tables
      where schemaname = 'public' and starts_with(tablename, ${prefix}) and tablename <> 'auth_audit_log'
      order by tablename`.execute(t.platform.database.db);
    const parts = tables.rows.map(
      ({ tablename }) =>
        sql`select ${tablename} as t, md5(coalesce(string_agg(x::text, ',' order by x::text), '')) as h from ${sql.table(tablename)} x`,
    );
    const rows = await sql<{ t: string; h: string }>`${sql.join(parts, sql` union all `)}`.execute(
      t.platform.database.db,
    );
    return rows.rows.map((r) => `${r.t}:${r.h}`).join(' ');
  }

  /** Waits until in-process consumers of earlier accepted requests stop writing. */
  async function settled(prefix: string): Promise<string> {
    let last = await fingerprint(prefix);
    for (let i = 0; i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const next = await fingerprint(prefix);
      if (next === last) return next;
      last = next;
    }
    return last;
  }

  before(async () => {
    t = await createTestApp();
    call = caller(t.app);
    fixture = await makeFixture();
    const res = await call({ url: '/v1/openapi.json' });
    assert.equal(res.statusCode, 200);
    operations = operationsOf(res.json());
    assert.ok(operations.length > 50, `the document lists every route (${operations.length})`);
  });
  after(() => t?.close());

  it('covers every operation with fixed hostile variants, signed in with a partner and anonymously', async (t) => {
    const failures: string[] = [];
    const slowest: [number, string][] = [];
    let sent = 0;
    for (const op of operations) {
      const started = Date.now();
      await ensureFixture();
      const watched = WATCHED[`${op.method} ${op.path}`];
      let known = watched ? await settled(watched) : undefined;
      for (const variant of variantsFor(op, fixture)) {
        const identities = variant.signedInOnly ? [true] : [true, false];
        for (const signedIn of identities) {
          const send = () =>
            inject(call, {
              method: variant.method as 'GET',
              url: variant.url,
              headers: { ...variant.headers, ...(signedIn ? bearer(fixture.a.accessToken) : {}) },
              payload: variant.payload,
            });
          const res = await send();
          sent++;
          if (!res) continue;
          const label = `${signedIn ? 'signed in' : 'anonymous'} ${variant.label}`;
          const problem = problemWith(res);
          if (problem) failures.push(`${problem}: ${describeRequest({ ...variant, label }, res)}`);
          if (!watched) continue;
          const afterwards = await fingerprint(watched);
          if (res.statusCode >= 400 && afterwards !== known) {
            // Maybe a consumer of an earlier accepted request wrote meanwhile: once things are
            // quiet, the same request must change nothing.
            const quiet = await settled(watched);
            const again = await send();
            if (again && again.statusCode >= 400 && (await fingerprint(watched)) !== quiet) {
              failures.push(
                `a rejected request changed ${watched}* rows: ${describeRequest({ ...variant, label }, again)}`,
              );
            }
            known = await settled(watched);
          } else {
            known = afterwards;
          }
        }
      }
      slowest.push([Date.now() - started, `${op.method} ${op.path}`]);
    }
    slowest.sort((x, y) => y[0] - x[0]);
    t.diagnostic(
      `${sent} requests; slowest: ${slowest
        .slice(0, 6)
        .map(([ms, name]) => `${name} ${ms} ms`)
        .join(', ')}`,
    );
    assert.ok(sent > 3000, `sent ${sent} requests`);
    assert.deepEqual(failures, [], `FUZZ_SEED=${SEED}\n${failures.join('\n')}`);
  });

  it('survives schema-shaped bodies and queries filled with hostile values (fast-check)', async (t) => {
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const op of operations) {
      await ensureFixture();
      const query = op.params.filter((p) => p.in === 'query');
      if (!op.body && query.length === 0) continue;
      const queryArb = fc.record(
        Object.fromEntries(query.map((p) => [p.name, arbitraryFor(p.schema, p.name)])),
        {
          requiredKeys: [],
        },
      );
      // Mostly accepted values with a few fields swapped for hostile ones, so most runs reach the service.
      const valid = acceptedBody(op, fixture);
      const bodyArb =
        op.body && valid
          ? fc.record(
              Object.fromEntries(
                Object.entries(op.body.properties ?? {}).map(([key, field]) => [
                  key,
                  fc.oneof(
                    { weight: 3, arbitrary: fc.constant(valid[key]) },
                    { weight: 1, arbitrary: arbitraryFor(field, key) },
                  ),
                ]),
              ),
            )
          : fc.constant(undefined);
      const property = fc.asyncProperty(queryArb, bodyArb, async (q, body) => {
        const search = Object.entries(q)
          .flatMap(([k, v]) =>
            Array.isArray(v) ? v.map((item) => `${k}=${encode(item)}`) : [`${k}=${encode(v)}`],
          )
          .join('&');
        const variant = {
          label: 'fast-check',
          method: op.method,
          url: urlFor(op, {}, search),
          payload: body === undefined ? undefined : rawJson(body),
        };
        const res = await inject(call, {
          method: op.method as 'GET',
          url: variant.url,
          headers: { ...(body === undefined ? {} : JSON_TYPE), ...bearer(fixture.a.accessToken) },
          payload: variant.payload,
        });
        if (!res) return;
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const problem = problemWith(res);
        if (problem) throw new Error(`${problem}: ${describeRequest(variant, res)}`);
      });
      const details = await fc.check(property, { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true });
      if (details.failed) {
        failures.push(
          `${op.method} ${op.path}: ${String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance)}`,
        );
      }
    }
    t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    // 400, 413 and 415 may be schema or parser answers; anything else came from further in.
    const reached = [...statuses]
      .filter(([status]) => ![400, 413, 415].includes(status))
      .reduce((sum, [, n]) => sum + n, 0);
    assert.ok(
      reached > 100,
      `only ${reached} generated requests got past validation: the generators lost their aim`,
    );
    assert.deepEqual(failures, [], `FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS_PER_ROUTE}\n${failures.join('\n')}`);
  });

  it('answers bad percent-encoding in the version query and in the path with a 400 envelope', async () => {
    for (const url of [
      '/users/me?version=%E0',
      '/users/me?version=%',
      '/v1/users/me?version=%ZZ',
      '/v1/love-notes/%E0%A4%A',
      '/v1/users/%',
      '/v1/%E0/x',
    ]) {
      const res = await call({ url, headers: bearer(fixture.a.accessToken) });
      assert.equal(res.statusCode, 400, `${url} → ${res.statusCode} ${res.body}`);
      assert.equal(res.json().success, false);
      assert.match(res.json().errors[0].code, UPPER_SNAKE);
    }
  });
});
