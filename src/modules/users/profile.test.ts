import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { as, newUserId, testAuth } from '../../../test/support/test-auth.ts';

describe('users: profiles', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const get = (url: string, userId: string) => t.app.inject({ method: 'GET', url, headers: as(userId) });
  const patch = (url: string, userId: string, payload: unknown) =>
    t.app.inject({ method: 'PATCH', url, headers: as(userId), payload: payload as object });

  it('refuses anonymous callers with 401 in the envelope', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/users/me' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().errors[0].code, 'UNAUTHENTICATED');
  });

  it('creates the profile with defaults on first access, once', async () => {
    const id = newUserId();
    const [a, b] = await Promise.all([get('/v1/users/me', id), get('/v1/users/me', id)]);
    assert.equal(a.statusCode, 200);
    assert.equal(b.statusCode, 200);
    const me = a.json().data;
    assert.equal(me.id, id);
    assert.equal(me.timeZone, 'UTC');
    assert.equal(me.locale, 'en');
    assert.equal(me.discoverable, false);
    assert.equal(me.handle, null);
    assert.deepEqual(me.loveLanguages, []);
  });

  it('updates fields and canonicalises time zone and locale', async () => {
    const id = newUserId();
    const res = await patch('/v1/users/me', id, {
      displayName: '  Ana  ',
      handle: 'Ana.Love',
      birthday: '1990-02-28',
      timeZone: 'europe/paris',
      locale: 'en-gb',
      loveLanguages: ['quality-time', 'physical-touch'],
      bio: 'Hi',
      pronouns: 'she/her',
      discoverable: true,
    });
    assert.equal(res.statusCode, 200, res.body);
    const me = res.json().data;
    assert.equal(me.displayName, 'Ana');
    assert.equal(me.handle, 'Ana.Love');
    assert.equal(me.birthday, '1990-02-28');
    assert.equal(me.timeZone, 'Europe/Paris');
    assert.equal(me.locale, 'en-GB');
    assert.deepEqual(me.loveLanguages, ['quality-time', 'physical-touch']);
  });

  it('rejects bad time zones, locales, birthdays, handles and unknown fields with 400', async () => {
    const id = newUserId();
    for (const [body, field] of [
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ timeZone: '+01:00' }, 'timeZone'],
      [{ locale: 'not a locale!' }, 'locale'],
      [{ birthday: '2999-01-01' }, 'birthday'],
      [{ birthday: '1990-02-30' }, 'birthday'],
      [{ handle: 'ab' }, 'handle'],
      [{ handle: 'has space' }, 'handle'],
      [{ handle: '.dot' }, 'handle'],
      [{ loveLanguages: ['money'] }, 'loveLanguages.0'],
      [{ role: 'admin' }, 'role'],
      [{ displayName: '   ' }, 'displayName'],
      // PostgreSQL text cannot hold NUL: a 400 naming the field, not a database error.
      [{ displayName: 'a\u0000b' }, 'displayName'],
      [{ bio: 'x\u0000' }, 'bio'],
      [{ pronouns: '\u0000' }, 'pronouns'],
    ] as const) {
      const res = await patch('/v1/users/me', id, body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)} → ${res.body}`);
      assert.equal(res.json().errors[0].code, 'VALIDATION_ERROR');
      assert.equal(res.json().errors[0].field, field, JSON.stringify(body));
    }
  });

  it('keeps handles unique regardless of case, and lets the owner change case', async () => {
    const a = newUserId();
    const b = newUserId();
    assert.equal((await patch('/v1/users/me', a, { handle: 'romeo_1' })).statusCode, 200);
    const taken = await patch('/v1/users/me', b, { handle: 'ROMEO_1' });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().errors[0].code, 'CONFLICT');
    assert.equal((await patch('/v1/users/me', a, { handle: 'Romeo_1' })).json().data.handle, 'Romeo_1');
    // The old handle is released when its owner moves on.
    assert.equal((await patch('/v1/users/me', a, { handle: 'romeo_2' })).statusCode, 200);
    assert.equal((await patch('/v1/users/me', b, { handle: 'romeo_1' })).statusCode, 200);
  });

  it('gives exactly one of two simultaneous claims of a handle', async () => {
    const users = [newUserId(), newUserId(), newUserId()];
    const results = await Promise.all(users.map((id) => patch('/v1/users/me', id, { handle: 'juliet' })));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409, 409]);
  });

  it('shows strangers only the card of a discoverable person, and 404 otherwise', async () => {
    const shy = newUserId();
    const open = newUserId();
    const viewer = newUserId();
    await patch('/v1/users/me', shy, { displayName: 'Shy', discoverable: false });
    await patch('/v1/users/me', open, { displayName: 'Open', discoverable: true, bio: 'secret bio' });
    const hidden = await get(`/v1/users/${shy}`, viewer);
    const missing = await get(`/v1/users/${newUserId()}`, viewer);
    assert.equal(hidden.statusCode, 404);
    assert.equal(missing.statusCode, 404);
    // Same body shape and message pattern: existence is not revealed.
    assert.equal(hidden.json().errors[0].code, missing.json().errors[0].code);
    const card = await get(`/v1/users/${open}`, viewer);
    assert.equal(card.statusCode, 200);
    assert.deepEqual(Object.keys(card.json().data).sort(), ['avatarUrl', 'displayName', 'handle', 'id']);
    assert.equal((await get('/v1/users/not-a-uuid', viewer)).statusCode, 400);
  });

  it('lets PUT /users/{id} change only oneself', async () => {
    const me = newUserId();
    const other = newUserId();
    const mine = await t.app.inject({
      method: 'PUT',
      url: `/v1/users/${me}`,
      headers: as(me),
      payload: { displayName: 'Me' },
    });
    assert.equal(mine.statusCode, 200);
    const theirs = await t.app.inject({
      method: 'PUT',
      url: `/v1/users/${other}`,
      headers: as(me),
      payload: { displayName: 'Hacked' },
    });
    assert.equal(theirs.statusCode, 403);
    assert.equal(theirs.json().errors[0].code, 'FORBIDDEN');
  });

  it('merges preference changes over defaults; notification switches live in notifications', async () => {
    const id = newUserId();
    const defaults = (await get('/v1/users/me/preferences', id)).json().data;
    assert.deepEqual(Object.keys(defaults).sort(), ['quietHours', 'units', 'weekStart']);
    assert.equal(defaults.weekStart, 'monday');
    const first = await patch('/v1/users/me/preferences', id, { quietHours: { enabled: true } });
    assert.equal(first.statusCode, 200, first.body);
    const second = await patch('/v1/users/me/preferences', id, { units: 'imperial' });
    const prefs = second.json().data;
    assert.equal(prefs.quietHours.enabled, true);
    assert.equal(prefs.quietHours.start, '22:00');
    assert.equal(prefs.units, 'imperial');
    const bad = await patch('/v1/users/me/preferences', id, { quietHours: { start: '25:00' } });
    assert.equal(bad.statusCode, 400);
    // One model, one API: channel switches are /v1/notifications/preferences, not here.
    const moved = await patch('/v1/users/me/preferences', id, {
      notifications: { 'love-notes': { email: false } },
    });
    assert.equal(moved.statusCode, 400);
  });

  it('searches discoverable people by handle prefix and by similar names', async () => {
    const viewer = newUserId();
    const found = newUserId();
    const fuzzy = newUserId();
    const hidden = newUserId();
    await patch('/v1/users/me', found, {
      handle: 'valentina_r',
      displayName: 'Valentina',
      discoverable: true,
    });
    await patch('/v1/users/me', fuzzy, {
      handle: 'zzq_1',
      displayName: 'Valentino Rossi',
      discoverable: true,
    });
    await patch('/v1/users/me', hidden, {
      handle: 'valentina_x',
      displayName: 'Valentina X',
      discoverable: false,
    });
    const res = await get('/v1/users/search?q=valentin', viewer);
    assert.equal(res.statusCode, 200, res.body);
    const ids = res.json().data.map((card: { id: string }) => card.id);
    assert.equal(ids[0], found, 'a handle prefix match ranks first');
    assert.ok(ids.includes(fuzzy));
    assert.ok(!ids.includes(hidden), 'non-discoverable people never appear');
    assert.deepEqual(Object.keys(res.json().data[0]).sort(), ['avatarUrl', 'displayName', 'handle', 'id']);

    const typo = await get('/v1/users/search?q=valentnia', viewer);
    assert.ok(
      typo.json().data.some((card: { id: string }) => card.id === found),
      'trigram similarity',
    );

    const page1 = await get('/v1/users/search?q=valentin&limit=1', viewer);
    assert.equal(page1.json().data.length, 1);
    const cursor = page1.json().meta.nextCursor;
    assert.ok(cursor);
    const page2 = await get(`/v1/users/search?q=valentin&limit=1&cursor=${cursor}`, viewer);
    assert.notEqual(page2.json().data[0].id, page1.json().data[0].id);
    assert.equal((await get('/v1/users/search?q=x', viewer)).statusCode, 400);
    assert.equal((await get('/v1/users/search?q=ab%00cd', viewer)).statusCode, 400);
    assert.equal((await get('/v1/users/search?q=%25%25', viewer)).statusCode, 200);
    assert.equal((await get('/v1/users/search?q=ab&cursor=garbage', viewer)).statusCode, 400);
  });
});
