import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, caller, registerUser } from '../support/auth.ts';
import { makeCouple } from '../support/love-notes.ts';
import { countQueries } from '../support/queries.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

/** Every field of the REST note, so a GraphQL note can be compared with REST's as a whole. */
const NOTE = `id senderId recipientId body mood templateId status scheduledAt timeZone recurrence
  paused seriesId deliveredAt readAt createdAt reactions { userId emoji createdAt } favorite`;
const PERSON = `__typename id handle displayName avatarUrl
  ... on PartnerProfile { birthday pronouns timeZone loveLanguages bio avatarUrls { small medium large } }
  ... on OwnProfile { birthday pronouns timeZone loveLanguages bio avatarUrls { small medium large }
    locale discoverable status createdAt updatedAt }`;

type Headers = Record<string, string>;

function client(t: TestApp) {
  return async (headers: Headers, query: string, variables?: object) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers,
      payload: { query, ...(variables ? { variables } : {}) },
    });
    return { status: res.statusCode, headers: res.headers, body: res.json() };
  };
}

const codes = (body: { errors?: Array<{ extensions: { code: string } }> }) =>
  (body.errors ?? []).map((e) => e.extensions.code);

/** GraphQL's union members carry __typename; REST's views do not. */
const withoutTypename = ({ __typename, ...rest }: Record<string, unknown>) => rest;

describe('GraphQL at /graphql', () => {
  let t: TestApp;
  let gql: ReturnType<typeof client>;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
    gql = client(t);
  });
  after(() => t.close());

  const rest = async (userId: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
    const res = await t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });
    assert.ok(res.statusCode < 300, res.body);
    return res.json().data;
  };

  it('sends a note by mutation that reads the same through GraphQL and REST', async () => {
    const { a, b } = await makeCouple(t, { names: ['Ada', 'Ben'] });
    const sent = await gql(
      as(a),
      `mutation($input: LoveNoteInput!) { sendLoveNote(input: $input) { ${NOTE} } }`,
      { input: { body: 'Hi {{partnerName}} {{x}}', mood: 'tender', variables: [{ name: 'x', value: 'y' }] } },
    );
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const note = sent.body.data.sendLoveNote;
    assert.equal(note.status, 'delivered');
    assert.equal(note.recipientId, b);
    await rest(b, 'POST', `/v1/love-notes/${note.id}/reactions`, { emoji: '💖' });

    for (const viewer of [a, b]) {
      const viaRest = await rest(viewer, 'GET', `/v1/love-notes/${note.id}`);
      const box = viewer === a ? 'sent' : 'inbox';
      const listed = await gql(
        as(viewer),
        `query($f: LoveNoteFilter) { loveNotes(filter: $f) { ${NOTE} } }`,
        { f: { box } },
      );
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      assert.deepEqual(listed.body.data.loveNotes, [viaRest]);
      assert.deepEqual(await rest(viewer, 'GET', `/v1/love-notes?box=${box}`), [viaRest]);
    }
    assert.equal((await rest(a, 'GET', `/v1/love-notes/${note.id}`)).reactions[0].emoji, '💖');
  });

  it('pages with the same cursors as REST', async () => {
    const { a, b } = await makeCouple(t);
    for (let i = 0; i < 3; i++) await rest(a, 'POST', '/v1/love-notes', { body: `n${i}` });
    const page = async (cursor?: string) =>
      (
        await gql(
          as(b),
          'query($f: LoveNoteFilter) { loveNotePage(filter: $f) { notes { body } nextCursor } }',
          { f: { limit: 2, ...(cursor ? { cursor } : {}) } },
        )
      ).body.data.loveNotePage;
    const first = await page();
    assert.deepEqual(
      first.notes.map((n: { body: string }) => n.body),
      ['n2', 'n1'],
    );
    const second = await page(first.nextCursor);
    assert.deepEqual(second, { notes: [{ body: 'n0' }], nextCursor: null });
  });

  it('shows a person exactly as GET /v1/users/{id} shows them to the caller', async () => {
    const { a, b } = await makeCouple(t, { names: ['Cleo', 'Dan'] });
    await rest(a, 'PATCH', '/v1/users/me', { birthday: '1990-02-03', bio: 'hi', discoverable: true });
    const stranger = newUserId();
    await rest(stranger, 'PATCH', '/v1/users/me', { displayName: 'Eve' });
    const hidden = newUserId();
    await rest(hidden, 'PATCH', '/v1/users/me', { displayName: 'Hal', discoverable: false });

    const seen = async (viewer: string, target: string) =>
      gql(as(viewer), `query($id: ID!) { user(id: $id) { ${PERSON} } }`, { id: target });

    const partner = await seen(b, a);
    assert.equal(partner.body.data.user.__typename, 'PartnerProfile');
    assert.equal(partner.body.data.user.birthday, '1990-02-03');
    assert.deepEqual(withoutTypename(partner.body.data.user), await rest(b, 'GET', `/v1/users/${a}`));

    const card = await seen(stranger, a);
    assert.equal(card.body.data.user.__typename, 'UserCard');
    assert.equal('birthday' in card.body.data.user, false);
    assert.deepEqual(withoutTypename(card.body.data.user), await rest(stranger, 'GET', `/v1/users/${a}`));

    const own = await seen(a, a);
    assert.equal(own.body.data.user.__typename, 'OwnProfile');
    assert.deepEqual(withoutTypename(own.body.data.user), await rest(a, 'GET', `/v1/users/${a}`));

    for (const target of [hidden, newUserId()]) {
      const refused = await seen(a, target);
      assert.equal(refused.status, 200);
      assert.equal(refused.body.data.user, null);
      assert.deepEqual(codes(refused.body), ['NOT_FOUND']);
      const viaRest = await t.app.inject({ url: `/v1/users/${target}`, headers: as(a) });
      assert.equal(viaRest.statusCode, 404);
    }

    // A note's sender and recipient follow the same rules: the partner's shared view, one's own in full.
    await rest(a, 'POST', '/v1/love-notes', { body: 'x' });
    const inbox = await gql(as(b), `{ loveNotes { sender { ${PERSON} } recipient { __typename id } } }`);
    assert.deepEqual(
      withoutTypename(inbox.body.data.loveNotes[0].sender),
      await rest(b, 'GET', `/v1/users/${a}`),
    );
    assert.deepEqual(inbox.body.data.loveNotes[0].recipient, { __typename: 'OwnProfile', id: b });
  });

  it('updates the caller profile as PATCH /v1/users/me does', async () => {
    const me = newUserId();
    const handle = `gq_${me.slice(-10).replaceAll('-', '')}`;
    const res = await gql(
      as(me),
      `mutation($input: ProfileInput!) { updateProfile(input: $input) { ${PERSON} } }`,
      { input: { displayName: ' Fay ', handle, loveLanguages: ['quality-time'], pronouns: null } },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.data.updateProfile.__typename, 'OwnProfile');
    assert.equal(res.body.data.updateProfile.displayName, 'Fay');
    assert.deepEqual(withoutTypename(res.body.data.updateProfile), await rest(me, 'GET', '/v1/users/me'));

    const other = newUserId();
    const taken = await gql(
      as(other),
      'mutation { updateProfile(input: { handle: $h }) { id } }'.replace('$h', JSON.stringify(handle)),
    );
    assert.deepEqual(codes(taken.body), ['CONFLICT']);
    assert.equal(taken.status, 409);

    const invalid = await gql(
      as(other),
      'mutation { updateProfile(input: { handle: "!", birthday: "1990-13-45" }) { id } }',
    );
    assert.equal(invalid.status, 400);
    assert.deepEqual(codes(invalid.body), ['VALIDATION_ERROR']);
    assert.equal(invalid.body.errors[0].extensions.field, 'input.handle');
    assert.deepEqual(
      invalid.body.errors[0].extensions.errors.map((e: { field: string }) => e.field),
      ['input.handle', 'input.birthday'],
    );
    const empty = await gql(as(other), 'mutation { updateProfile(input: {}) { id } }');
    assert.deepEqual(codes(empty.body), ['VALIDATION_ERROR']);
  });

  it('refuses a caller without a token with UNAUTHENTICATED, but lets introspection through', async () => {
    const res = await gql({}, '{ loveNotes { id } }');
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer');
    assert.deepEqual(codes(res.body), ['UNAUTHENTICATED']);
    assert.equal(res.body.data, null);

    const user = await gql({}, `{ user(id: "${newUserId()}") { id } }`);
    assert.equal(user.status, 200, 'a nullable root field fails alone: data is { user: null }');
    assert.deepEqual(codes(user.body), ['UNAUTHENTICATED']);

    const schema = await gql({}, '{ __schema { queryType { name } } }');
    assert.deepEqual(schema.body, { data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('uses the real bearer access token, and refuses a bad one before running anything', async () => {
    const call = caller(t.app);
    const someone = await registerUser(call);
    const me = await gql(bearer(someone.accessToken), `{ user(id: "${someone.id}") { __typename id } }`);
    assert.deepEqual(me.body, { data: { user: { __typename: 'OwnProfile', id: someone.id } } });

    const bad = await gql(bearer(`${someone.accessToken}x`), '{ __typename }');
    assert.equal(bad.status, 401);
    assert.match(String(bad.headers['www-authenticate']), /invalid_token/);
    assert.deepEqual(codes(bad.body), ['UNAUTHENTICATED']);
  });

  it('answers bad documents and bad input with VALIDATION_ERROR, and domain refusals with REST codes', async () => {
    const me = newUserId();
    const cases: Array<[string, object | undefined, string, number]> = [
      ['{ nope }', undefined, 'VALIDATION_ERROR', 400],
      ['{ loveNotes { id ', undefined, 'VALIDATION_ERROR', 400],
      [
        'query($f: LoveNoteFilter) { loveNotes(filter: $f) { id } }',
        { f: { limit: 'x' } },
        'VALIDATION_ERROR',
        400,
      ],
      ['{ loveNotes(filter: { limit: 0 }) { id } }', undefined, 'VALIDATION_ERROR', 400],
      ['{ loveNotes(filter: { cursor: "%%%" }) { id } }', undefined, 'VALIDATION_ERROR', 400],
      ['{ loveNotes(filter: { from: "yesterday" }) { id } }', undefined, 'VALIDATION_ERROR', 400],
      ['{ user(id: "not-a-uuid") { id } }', undefined, 'VALIDATION_ERROR', 200],
      ['mutation { sendLoveNote(input: { body: "x" }) { id } }', undefined, 'CONFLICT', 409],
    ];
    for (const [query, variables, code, status] of cases) {
      const res = await gql(as(me), query, variables);
      assert.deepEqual(codes(res.body), [code], `${query} → ${JSON.stringify(res.body)}`);
      assert.equal(res.status, status, query);
    }
    const field = await gql(as(me), '{ loveNotes(filter: { limit: 0 }) { id } }');
    assert.equal(field.body.errors[0].extensions.field, 'filter.limit');

    const viaGet = await t.app.inject({
      url: `/graphql?query=${encodeURIComponent('mutation { sendLoveNote(input: { body: "x" }) { id } }')}`,
      headers: as(me),
    });
    assert.equal(viaGet.statusCode, 405);
    assert.equal(viaGet.json().errors[0].extensions.code, 'METHOD_NOT_ALLOWED');

    const notJson = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { ...as(me), 'content-type': 'application/json' },
      payload: '{"query":',
    });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().errors[0].extensions.code, 'VALIDATION_ERROR');
  });

  it('never answers INTERNAL to whatever a client puts in the inputs (property)', async () => {
    const { a } = await makeCouple(t);
    const text = fc.string({ unit: 'binary', maxLength: 60 });
    const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          body: maybe(fc.oneof(text, fc.string({ maxLength: 6000 }))),
          mood: maybe(text),
          templateId: maybe(text),
          scheduledAt: maybe(
            fc.oneof(
              text,
              fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            ),
          ),
          timeZone: maybe(fc.oneof(text, fc.constantFrom('Europe/Paris', 'Mars/Base'))),
          recurrence: maybe(fc.oneof(text, fc.constant('FREQ=DAILY;COUNT=2'))),
          variables: maybe(fc.array(fc.record({ name: text, value: text }), { maxLength: 3 })),
        }),
        fc.record({ handle: maybe(text), birthday: maybe(text), locale: maybe(text), timeZone: maybe(text) }),
        async (note, profile) => {
          const sent = await gql(as(a), 'mutation($i: LoveNoteInput!) { sendLoveNote(input: $i) { id } }', {
            i: JSON.parse(JSON.stringify(note)),
          });
          assert.ok(sent.status < 500, JSON.stringify(sent.body));
          assert.ok(!codes(sent.body).includes('INTERNAL'), JSON.stringify(sent.body));
          const input = JSON.parse(JSON.stringify(profile));
          if (Object.keys(input).length === 0) return;
          const updated = await gql(
            as(a),
            'mutation($i: ProfileInput!) { updateProfile(input: $i) { id } }',
            {
              i: input,
            },
          );
          assert.ok(updated.status < 500, JSON.stringify(updated.body));
          assert.ok(!codes(updated.body).includes('INTERNAL'), JSON.stringify(updated.body));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a query that costs more than GRAPHQL_MAX_COST (5000), counting page sizes', async () => {
    const me = newUserId();
    const page = (limit: string) =>
      `loveNotes(filter: { limit: ${limit} }) { ${NOTE} sender { id displayName } recipient { id } }`;
    const one = await gql(as(me), `{ ${page('100')} }`);
    assert.equal(one.status, 200, 'one full page of 100 notes is affordable');
    const two = await gql(as(me), `{ a: ${page('100')} b: ${page('100')} }`);
    assert.equal(two.status, 400);
    assert.deepEqual(codes(two.body), ['VALIDATION_ERROR']);
    assert.match(two.body.errors[0].message, /^The query costs \d+; at most 5000 is allowed$/);
    // The page size may come from a variable: the cost follows it.
    const byVariable = `query($n: Int) { a: ${page('$n')} b: ${page('$n')} }`;
    assert.equal((await gql(as(me), byVariable, { n: 10 })).status, 200);
    const refused = await gql(as(me), byVariable, { n: 100 });
    assert.equal(refused.status, 400);
    assert.deepEqual(codes(refused.body), ['VALIDATION_ERROR']);
  });

  it('loads the senders and recipients of a page in batches, whatever its length (no N+1)', async () => {
    const { a, b } = await makeCouple(t, { names: ['Gus', 'Ivy'] });
    for (let i = 0; i < 12; i++) await rest(a, 'POST', '/v1/love-notes', { body: `note ${i}` });
    const query =
      '{ loveNotes(filter: { limit: $n }) { id sender { displayName } recipient { displayName } } }';
    const run = (n: number) => async () => {
      const res = await gql(as(b), query.replace('$n', String(n)));
      assert.equal(res.body.data.loveNotes.length, n);
      assert.ok(
        res.body.data.loveNotes.every(
          (note: { sender: { displayName: string } }) => note.sender.displayName === 'Gus',
        ),
      );
    };
    const profiles = /users_profiles/;
    const small = await countQueries(profiles, run(2));
    const large = await countQueries(profiles, run(12));
    assert.equal(large, small, `profile queries for 12 notes (${large}) = for 2 notes (${small})`);
    // Two loaders (sender, recipient), each at most: the caller's profile and the others' profiles.
    assert.ok(small <= 4, `${small} profile queries`);
    assert.equal(await countQueries(/./, run(12)), await countQueries(/./, run(2)));
  });
});

describe('GraphQL behind tight limits', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp(
      {
        BODY_LIMIT_BYTES: '2048',
        GRAPHQL_MAX_DEPTH: '3',
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_PER_USER_PER_MINUTE: '3',
        REDIS_URL: '',
      },
      { routes: testAuth },
    );
  });
  after(() => t.close());

  it('refuses a body over BODY_LIMIT_BYTES with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: as(newUserId()),
      payload: { query: `{ __typename }`, variables: { pad: 'x'.repeat(4000) } },
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().errors[0].extensions.code, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a query deeper than GRAPHQL_MAX_DEPTH', async () => {
    const me = newUserId();
    const ask = (query: string) =>
      t.app.inject({ method: 'POST', url: '/graphql', headers: as(me), payload: { query } });
    assert.equal((await ask('{ loveNotes { sender { id } } }')).statusCode, 200);
    const deep = await ask(
      'query Deep { loveNotes { sender { ... on OwnProfile { avatarUrls { small } } } } }',
    );
    assert.equal(deep.statusCode, 400);
    assert.equal(deep.json().errors[0].extensions.code, 'VALIDATION_ERROR');
    assert.match(
      deep.json().errors[0].message,
      /^Deep query depth \(5\) exceeds the query depth limit of 3$/,
    );
  });

  it('counts /graphql requests against the rate limits: 429 RATE_LIMITED with Retry-After', async () => {
    const me = newUserId();
    const ask = () =>
      t.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: as(me),
        payload: { query: '{ __typename }' },
      });
    for (let i = 0; i < 3; i++) assert.equal((await ask()).statusCode, 200);
    const refused = await ask();
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json().errors[0].extensions.code, 'RATE_LIMITED');
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.match(String(refused.headers.ratelimit), /"user";r=0/);
  });
});

describe('GraphQL in production', () => {
  let t: TestApp;
  before(async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    t = await createTestApp(
      {
        NODE_ENV: 'production',
        JWT_SIGNING_KEYS: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
      { routes: testAuth },
    );
  });
  after(() => t.close());

  it('has no introspection and no GraphiQL, and still answers queries', async () => {
    const introspect = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: as(newUserId()),
      payload: { query: '{ __schema { queryType { name } } }' },
    });
    assert.equal(introspect.statusCode, 400);
    assert.equal(introspect.json().errors[0].extensions.code, 'VALIDATION_ERROR');
    assert.match(introspect.json().errors[0].message, /introspection/i);
    assert.equal((await t.app.inject({ url: '/graphiql' })).statusCode, 404);
    const plain = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: as(newUserId()),
      payload: { query: '{ loveNotes { id } }' },
    });
    assert.deepEqual(plain.json(), { data: { loveNotes: [] } });
  });

  it('serves GraphiQL outside production only', async () => {
    const dev = await createTestApp({}, {});
    try {
      const page = await dev.app.inject({ url: '/graphiql' });
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self' https:\/\/unpkg.com/);
    } finally {
      await dev.close();
    }
  });
});
