import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NOOP_PROVIDER, OpenFeature } from '@openfeature/server-sdk';
import { sql } from 'kysely';
import { isEnabled } from '../../src/modules/feature-flags/index.ts';
import { PostgresFlagProvider } from '../../src/modules/feature-flags/provider.ts';
import { createFlagStore } from '../../src/modules/feature-flags/store.ts';
import type { FlagsDb } from '../../src/modules/feature-flags/tables.ts';
import { createDatabase } from '../../src/platform/db/database.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

/**
 * Feature flags on the real app and database: the admin API (CRUD,
 * validation, roles, audit, events), evaluation through OpenFeature (kill
 * switch, allow/deny lists, a percentage rollout that is stable per user and
 * close to its percentage), the user-facing read, the coach behind its flag,
 * and a change made through one app instance reaching a second one on the
 * same database within FEATURE_FLAGS_REFRESH_MS.
 */

const REFRESH_MS = 300;
const FLAGS = '/v1/admin/feature-flags';

describe('feature flags', () => {
  let t: TestApp;
  const admin = newUserId();
  before(async () => {
    t = await createTestApp({ FEATURE_FLAGS_REFRESH_MS: String(REFRESH_MS) }, { routes: testAuth });
  });
  after(() => t.close());

  type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  const call = (method: Method, url: string, headers: Record<string, string>, payload?: unknown) =>
    t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const asAdmin = (method: Method, url: string, payload?: unknown) =>
    call(method, url, as(admin, 'admin'), payload);
  const flagsOf = async (userId: string) => {
    const res = await call('GET', '/v1/feature-flags', as(userId));
    assert.equal(res.statusCode, 200, res.body);
    return res.json().data.flags as Record<string, boolean>;
  };

  it('keeps the admin API to admins: anonymous 401, user and editor 403', async () => {
    const user = newUserId();
    const routes: [Method, string, unknown?][] = [
      ['GET', FLAGS],
      ['POST', FLAGS, { key: 'authz-probe' }],
      ['GET', `${FLAGS}/coach`],
      ['PUT', `${FLAGS}/authz-probe`, {}],
      ['PATCH', `${FLAGS}/coach`, { enabled: false }],
      ['DELETE', `${FLAGS}/coach`],
      ['GET', `${FLAGS}/coach/history`],
    ];
    for (const [method, url, payload] of routes) {
      const anonymous = await call(method, url, {}, payload);
      assert.equal(anonymous.statusCode, 401, `${method} ${url}: ${anonymous.body}`);
      assert.equal(anonymous.json().errors[0].code, 'UNAUTHENTICATED');
      for (const role of ['user', 'editor'] as const) {
        const res = await call(method, url, as(user, role), payload);
        assert.equal(res.statusCode, 403, `${role} ${method} ${url}: ${res.body}`);
        assert.equal(res.json().errors[0].code, 'FORBIDDEN');
      }
    }
    assert.equal((await call('GET', '/v1/feature-flags', {})).statusCode, 401);
    // Nothing was changed by the refused calls.
    const coach = await asAdmin('GET', `${FLAGS}/coach`);
    assert.equal(coach.json().data.enabled, true);
    assert.equal((await asAdmin('GET', `${FLAGS}/authz-probe`)).statusCode, 404);
  });

  it('ships the two flags the code reads: coach on for everyone, new-inbox off', async () => {
    const flags = await flagsOf(newUserId());
    assert.equal(flags.coach, true);
    assert.equal(flags['new-inbox'], false);
  });

  it('creates, reads, lists, replaces, changes and deletes flags, auditing and publishing each change', async () => {
    const created = await asAdmin('POST', FLAGS, {
      key: 'crud.one',
      description: 'First',
      rolloutPercentage: 10,
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(
      { ...created.json().data, createdAt: undefined, updatedAt: undefined },
      {
        key: 'crud.one',
        description: 'First',
        enabled: true,
        defaultValue: false,
        rolloutPercentage: 10,
        allowUsers: [],
        denyUsers: [],
        createdAt: undefined,
        updatedAt: undefined,
        updatedBy: admin,
      },
    );
    const again = await asAdmin('POST', FLAGS, { key: 'crud.one' });
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(again.json().errors[0].code, 'CONFLICT');

    const put = await asAdmin('PUT', `${FLAGS}/crud-two`, { defaultValue: true, enabled: false });
    assert.equal(put.statusCode, 201, put.body);
    const replaced = await asAdmin('PUT', `${FLAGS}/crud-two`, { rolloutPercentage: 40 });
    assert.equal(replaced.statusCode, 200, replaced.body);
    // A PUT is the whole definition: what it omits goes back to the defaults.
    assert.equal(replaced.json().data.enabled, true);
    assert.equal(replaced.json().data.defaultValue, false);
    assert.equal(replaced.json().data.rolloutPercentage, 40);

    const user = newUserId();
    const patched = await asAdmin('PATCH', `${FLAGS}/crud.one`, {
      allowUsers: [user],
      description: 'Changed',
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().data.rolloutPercentage, 10, 'PATCH keeps what it does not name');
    assert.deepEqual(patched.json().data.allowUsers, [user]);
    assert.equal((await asAdmin('GET', `${FLAGS}/crud.one`)).json().data.description, 'Changed');

    const page1 = await asAdmin('GET', `${FLAGS}?limit=2`);
    assert.equal(page1.statusCode, 200, page1.body);
    assert.equal(page1.json().data.length, 2);
    const keys: string[] = page1.json().data.map((f: { key: string }) => f.key);
    let cursor = page1.json().meta.nextCursor as string | null;
    while (cursor) {
      const page = await asAdmin('GET', `${FLAGS}?limit=2&cursor=${cursor}`);
      keys.push(...page.json().data.map((f: { key: string }) => f.key));
      cursor = page.json().meta.nextCursor;
    }
    assert.deepEqual(keys, [...keys].sort());
    for (const key of ['coach', 'new-inbox', 'crud.one', 'crud-two']) assert.ok(keys.includes(key), key);

    const deleted = await asAdmin('DELETE', `${FLAGS}/crud.one`);
    assert.equal(deleted.statusCode, 204, deleted.body);
    assert.equal((await asAdmin('GET', `${FLAGS}/crud.one`)).statusCode, 404);
    assert.equal((await asAdmin('DELETE', `${FLAGS}/crud.one`)).statusCode, 404);
    assert.equal((await asAdmin('PATCH', `${FLAGS}/crud.one`, { enabled: false })).statusCode, 404);

    const history = await asAdmin('GET', `${FLAGS}/crud.one/history`);
    assert.equal(history.statusCode, 200, history.body);
    const entries = history.json().data as {
      action: string;
      actorId: string;
      before: { description: string } | null;
      after: { description: string; allowUsers: string[] } | null;
    }[];
    assert.deepEqual(
      entries.map((e) => [e.action, e.actorId, e.before?.description ?? null, e.after?.description ?? null]),
      [
        ['deleted', admin, 'Changed', null],
        ['updated', admin, 'First', 'Changed'],
        ['created', admin, null, 'First'],
      ],
    );
    assert.deepEqual(entries[1]?.after?.allowUsers, [user]);

    const { rows } = await sql<{ action: string; actor_id: string }>`
      select data->>'action' as action, actor_id from outbox_events
      where type = 'feature-flag.changed' and data->>'key' = 'crud.one' order by position`.execute(
      t.platform.database.db,
    );
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor_id]),
      [
        ['created', admin],
        ['updated', admin],
        ['deleted', admin],
      ],
    );
  });

  it('refuses bad keys, percentages, user lists and unknown fields with a 400 naming the field, changing nothing', async () => {
    const refused = async (method: Method, url: string, payload: unknown, field: string) => {
      const res = await asAdmin(method, url, payload);
      assert.equal(res.statusCode, 400, `${method} ${url} ${JSON.stringify(payload)} → ${res.body}`);
      assert.equal(res.json().errors[0].code, 'VALIDATION_ERROR');
      assert.equal(res.json().errors[0].field, field, res.body);
    };
    for (const key of [
      'A',
      'a',
      '1flag',
      'Flag',
      'with_underscore',
      'with space',
      '-dash',
      `a${'b'.repeat(63)}`,
      'é',
    ]) {
      await refused('POST', FLAGS, { key }, 'key');
    }
    for (const key of ['Bad', '1flag', 'a_b', 'x']) {
      await refused('PUT', `${FLAGS}/${encodeURIComponent(key)}`, {}, 'key');
    }
    for (const rolloutPercentage of [101, -1, 50.5, '50', null, true]) {
      await refused('POST', FLAGS, { key: 'valid-key', rolloutPercentage }, 'rolloutPercentage');
      await refused('PATCH', `${FLAGS}/coach`, { rolloutPercentage }, 'rolloutPercentage');
    }
    await refused('POST', FLAGS, { key: 'valid-key', enabled: 'false' }, 'enabled');
    await refused('POST', FLAGS, { key: 'valid-key', role: 'admin' }, 'role');
    await refused('PUT', `${FLAGS}/valid-key`, { percentage: 5 }, 'percentage');
    await refused('PATCH', `${FLAGS}/coach`, { zzUnknown: 1 }, 'zzUnknown');
    await refused('POST', FLAGS, { key: 'valid-key', allowUsers: ['not-a-uuid'] }, 'allowUsers.0');
    const someone = newUserId();
    await refused('POST', FLAGS, { key: 'valid-key', allowUsers: [someone, someone] }, 'allowUsers');
    await refused(
      'POST',
      FLAGS,
      { key: 'valid-key', allowUsers: [someone], denyUsers: [someone] },
      'denyUsers',
    );
    await refused(
      'PATCH',
      `${FLAGS}/coach`,
      { denyUsers: [someone.toUpperCase()], allowUsers: [someone] },
      'denyUsers',
    );
    const empty = await asAdmin('PATCH', `${FLAGS}/coach`, {});
    assert.equal(empty.statusCode, 400, empty.body);
    await refused(
      'GET',
      `${FLAGS}?cursor=${Buffer.from('{"key":"\\u0000"}').toString('base64url')}`,
      undefined,
      'cursor',
    );
    assert.equal((await asAdmin('GET', `${FLAGS}/valid-key`)).statusCode, 404);
    const coach = (await asAdmin('GET', `${FLAGS}/coach`)).json().data;
    assert.equal(coach.rolloutPercentage, 100);
    assert.deepEqual(coach.denyUsers, []);
  });

  it('rolls out by a stable hash of key and user: about the percentage, and a user stays in as it grows', async () => {
    const users = Array.from({ length: 10_000 }, () => newUserId());
    const share = async (key: string) => {
      const on = await Promise.all(users.map((user) => isEnabled(t.platform, key, user, false)));
      return on;
    };
    assert.equal((await asAdmin('PUT', `${FLAGS}/rollout`, { rolloutPercentage: 30 })).statusCode, 201);
    const at30 = await share('rollout');
    const count30 = at30.filter(Boolean).length;
    assert.ok(count30 >= 2_700 && count30 <= 3_300, `${count30} of 10,000 at 30%`);
    assert.deepEqual(await share('rollout'), at30, 'the same users again');

    assert.equal((await asAdmin('PATCH', `${FLAGS}/rollout`, { rolloutPercentage: 60 })).statusCode, 200);
    const at60 = await share('rollout');
    const count60 = at60.filter(Boolean).length;
    assert.ok(count60 >= 5_700 && count60 <= 6_300, `${count60} of 10,000 at 60%`);
    assert.ok(
      at30.every((on, i) => !on || at60[i]),
      'everyone in at 30% is still in at 60%',
    );

    // Another flag at 30% picks other users: the key is part of the hash.
    assert.equal((await asAdmin('PUT', `${FLAGS}/rollout-other`, { rolloutPercentage: 30 })).statusCode, 201);
    const other = await share('rollout-other');
    const both = other.filter((on, i) => on && at30[i]).length;
    assert.ok(both > 600 && both < 1_200, `${both} users in both 30% rollouts (independent: about 900)`);

    await asAdmin('PATCH', `${FLAGS}/rollout`, { rolloutPercentage: 0 });
    assert.equal((await share('rollout')).filter(Boolean).length, 0);
    await asAdmin('PATCH', `${FLAGS}/rollout`, { rolloutPercentage: 100 });
    assert.equal((await share('rollout')).filter(Boolean).length, 10_000);
  });

  it('targets users by allow and deny lists, deny first; the kill switch answers the default to everyone', async () => {
    const allowed = newUserId();
    const denied = newUserId();
    const bystander = newUserId();
    const res = await asAdmin('PUT', `${FLAGS}/targeted`, {
      rolloutPercentage: 0,
      allowUsers: [allowed],
      denyUsers: [denied],
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((await flagsOf(allowed)).targeted, true);
    assert.equal((await flagsOf(denied)).targeted, false);
    assert.equal((await flagsOf(bystander)).targeted, false);

    await asAdmin('PATCH', `${FLAGS}/targeted`, { rolloutPercentage: 100 });
    assert.equal((await flagsOf(denied)).targeted, false, 'deny wins over a full rollout');
    assert.equal((await flagsOf(bystander)).targeted, true);

    // Killed: the default for everyone, lists and rollout ignored.
    await asAdmin('PATCH', `${FLAGS}/targeted`, { enabled: false });
    for (const user of [allowed, denied, bystander]) {
      assert.equal((await flagsOf(user)).targeted, false);
      assert.equal(await isEnabled(t.platform, 'targeted', user, true), false);
    }
    await asAdmin('PATCH', `${FLAGS}/targeted`, { defaultValue: true });
    for (const user of [allowed, denied, bystander]) assert.equal((await flagsOf(user)).targeted, true);
  });

  it('evaluates from its in-process copy until the refresh period ends or a local change drops it', async () => {
    const db = t.platform.database.db as FlagsDb;
    let clock = 0;
    const store = createFlagStore(db, 1_000, () => clock);
    await asAdmin('PUT', `${FLAGS}/cached`, { rolloutPercentage: 0 });
    const enabledNow = async () => ((await store.current()).get('cached')?.rolloutPercentage ?? -1) > 0;
    assert.equal(await enabledNow(), false);
    // Changed behind the store's back (as another process would): unseen until the period ends.
    await db
      .updateTable('feature_flags_flags')
      .set({ rollout_percentage: 100 })
      .where('key', '=', 'cached')
      .execute();
    clock = 999;
    assert.equal(await enabledNow(), false, 'still the copy');
    clock = 1_000;
    assert.equal(await enabledNow(), true, 'reloaded after the period');

    // A reload that started before a change does not pass for fresh after invalidate().
    await db
      .updateTable('feature_flags_flags')
      .set({ rollout_percentage: 0 })
      .where('key', '=', 'cached')
      .execute();
    clock = 5_000;
    const inFlight = store.current();
    await db
      .updateTable('feature_flags_flags')
      .set({ rollout_percentage: 50 })
      .where('key', '=', 'cached')
      .execute();
    store.invalidate();
    const afterChange = store.current();
    assert.notEqual(afterChange, inFlight, 'a new read, not the one in flight');
    assert.equal((await afterChange).get('cached')?.rolloutPercentage, 50);
    await inFlight;
    assert.equal(
      (await store.current()).get('cached')?.rolloutPercentage,
      50,
      'the older read did not replace it',
    );
  });

  it("keeps answering from its last copy when the database is away; with no copy, the caller's fallback", async () => {
    const user = newUserId();
    await asAdmin('PUT', `${FLAGS}/outage`, { allowUsers: [user] });
    // Pools of their own: one that worked and then ends (the database going away), one that never reaches it.
    const warm = createDatabase({ url: t.database.url, poolMax: 1 });
    const cold = createDatabase({ url: 'postgres://postgres@127.0.0.1:1/nowhere', poolMax: 1 });
    let clock = 0;
    const warmStore = createFlagStore(warm.db as FlagsDb, 1_000, () => clock);
    const coldStore = createFlagStore(cold.db as FlagsDb, 1_000, () => clock);
    assert.equal((await warmStore.current()).get('outage')?.allowUsers.has(user), true);
    await warm.pool.end();
    clock = 10_000;
    assert.equal((await warmStore.current()).get('outage')?.allowUsers.has(user), true, 'the last copy');
    await assert.rejects(coldStore.current());

    // Through OpenFeature: the provider's error becomes the caller's fallback.
    const domain = `feature-flags-test:${newUserId()}`;
    OpenFeature.setProvider(domain, new PostgresFlagProvider(coldStore));
    const client = OpenFeature.getClient(domain);
    const details = await client.getBooleanDetails('outage', true, { targetingKey: user });
    assert.equal(details.value, true);
    assert.equal(details.reason, 'ERROR');
    assert.equal(await client.getBooleanValue('outage', false, { targetingKey: user }), false);
    OpenFeature.setProvider(domain, new PostgresFlagProvider(warmStore));
    const warmDetails = await client.getBooleanDetails('outage', false, { targetingKey: user });
    assert.deepEqual(
      [warmDetails.value, warmDetails.reason, warmDetails.variant],
      [true, 'TARGETING_MATCH', 'allowed'],
    );
    OpenFeature.setProvider(domain, NOOP_PROVIDER);
    await cold.close();
  });

  it("answers the caller's fallback for a flag that is not defined", async () => {
    const user = newUserId();
    assert.equal(await isEnabled(t.platform, 'never-defined', user, true), true);
    assert.equal(await isEnabled(t.platform, 'never-defined', user, false), false);
    assert.equal('never-defined' in (await flagsOf(user)), false);
  });

  it('switches the coach off with its flag (503 in the envelope), for everyone or one user, and back on', async () => {
    const user = newUserId();
    const other = newUserId();
    const coach = (userId: string, method: Method, url: string, payload?: unknown) =>
      call(method, `/v1/coach${url}`, as(userId), payload);
    const opened = await coach(user, 'POST', '/conversations', {});
    assert.equal(opened.statusCode, 201, opened.body);
    const id = opened.json().data.conversation.id as string;
    const message = { content: 'How do we argue less about chores?' };

    try {
      assert.equal((await asAdmin('PATCH', `${FLAGS}/coach`, { enabled: false })).statusCode, 200);
      assert.equal((await flagsOf(user)).coach, false);
      for (const [method, url, payload] of [
        ['POST', `/conversations/${id}/messages`, message],
        ['POST', '/conversations', {}],
        ['POST', '/suggestions/love-note', { tone: 'romantic', occasion: 'everyday' }],
      ] as const) {
        const res = await coach(user, method, url, payload);
        assert.equal(res.statusCode, 503, `${method} ${url}: ${res.body}`);
        assert.equal(res.json().success, false);
        assert.equal(res.json().errors[0].code, 'SERVICE_UNAVAILABLE');
        assert.match(res.json().errors[0].message, /coach is switched off/);
        assert.equal(res.headers['retry-after'], '300');
      }
      // What the coach holds stays readable and deletable.
      assert.equal((await coach(user, 'GET', `/conversations/${id}/messages`)).statusCode, 200);
      assert.equal((await coach(user, 'GET', '/memory')).statusCode, 200);

      // Back on for everyone but one user.
      await asAdmin('PATCH', `${FLAGS}/coach`, { enabled: true, denyUsers: [user] });
      assert.equal((await coach(user, 'POST', `/conversations/${id}/messages`, message)).statusCode, 503);
      const theirs = await coach(other, 'POST', '/conversations', {});
      assert.equal(theirs.statusCode, 201, theirs.body);

      await asAdmin('PATCH', `${FLAGS}/coach`, { denyUsers: [] });
      const answered = await coach(user, 'POST', `/conversations/${id}/messages`, message);
      assert.equal(answered.statusCode, 200, answered.body);
      assert.equal(answered.json().data.provider, 'offline');
    } finally {
      await asAdmin('PATCH', `${FLAGS}/coach`, { enabled: true, denyUsers: [] });
    }

    // Without a definition the coach is on: the code's fallback.
    assert.equal((await asAdmin('DELETE', `${FLAGS}/coach`)).statusCode, 204);
    const fallback = await coach(user, 'POST', `/conversations/${id}/messages`, message);
    assert.equal(fallback.statusCode, 200, fallback.body);
    await asAdmin('PUT', `${FLAGS}/coach`, { rolloutPercentage: 100 });
  });

  it('exports and erases what it holds about a person: list entries and the changes an admin made', async () => {
    const { featureFlagsModule } = await import('../../src/modules/feature-flags/index.ts');
    const person = newUserId();
    const staff = newUserId();
    await call('PUT', `${FLAGS}/privacy`, as(staff, 'admin'), { allowUsers: [person] });
    await call('PATCH', `${FLAGS}/privacy`, as(staff, 'admin'), { denyUsers: [newUserId()] });
    const data = featureFlagsModule.personalData;
    assert.ok(data);
    assert.deepEqual(await data.export(t.platform, person), {
      targetedBy: [{ flag: 'privacy', list: 'allow' }],
      changesMade: [],
    });
    const staffExport = (await data.export(t.platform, staff)) as { changesMade: { action: string }[] };
    assert.deepEqual(
      staffExport.changesMade.map((c) => c.action),
      ['created', 'updated'],
    );
    assert.equal(await isEnabled(t.platform, 'privacy', person, false), true);

    await data.erase(t.platform, person);
    await data.erase(t.platform, staff);
    assert.equal(await isEnabled(t.platform, 'privacy', person, false), false, 'off the allow list at once');
    const flag = (await asAdmin('GET', `${FLAGS}/privacy`)).json().data;
    assert.deepEqual(flag.allowUsers, []);
    assert.equal(flag.updatedBy, null);
    const { rows } = await sql<{ text: string }>`
      select concat(actor_id::text, before::text, after::text) as text from feature_flags_audit
      where flag_key = 'privacy'`.execute(t.platform.database.db);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.ok(!row.text.includes(person) && !row.text.includes(staff), row.text);
    }
  });
});

describe('feature flags across two app instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  const admin = newUserId();
  before(async () => {
    a = await createTestApp({ FEATURE_FLAGS_REFRESH_MS: String(REFRESH_MS) }, { routes: testAuth });
    b = await createTestApp(
      { FEATURE_FLAGS_REFRESH_MS: String(REFRESH_MS) },
      { routes: testAuth, database: a.database },
    );
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  const flagOn = async (app: TestApp, userId: string) => {
    const res = await app.app.inject({ method: 'GET', url: '/v1/feature-flags', headers: as(userId) });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().data.flags['new-inbox'] as boolean;
  };

  it(`sees a change made through the other instance within FEATURE_FLAGS_REFRESH_MS (${REFRESH_MS} ms)`, async (context) => {
    const user = newUserId();
    assert.equal(await flagOn(a, user), false);
    assert.equal(await flagOn(b, user), false, 'b holds its copy now');

    const changed = await a.app.inject({
      method: 'PATCH',
      url: `${FLAGS}/new-inbox`,
      headers: as(admin, 'admin'),
      payload: { allowUsers: [user] },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const at = performance.now();
    assert.equal(await flagOn(a, user), true, 'the instance that made the change sees it at once');

    let seenAfter: number | undefined;
    while (performance.now() - at < REFRESH_MS + 2_000) {
      if (await flagOn(b, user)) {
        seenAfter = performance.now() - at;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(seenAfter !== undefined, 'b never saw the change');
    // The bound is the refresh period plus one read of the table (and a busy test machine's scheduling).
    assert.ok(seenAfter <= REFRESH_MS + 500, `b saw it after ${Math.round(seenAfter)} ms`);
    context.diagnostic(`the other instance saw the change after ${Math.round(seenAfter)} ms`);
    // The coach of b follows the flag changed through a as well.
    const killed = await a.app.inject({
      method: 'PATCH',
      url: `${FLAGS}/coach`,
      headers: as(admin, 'admin'),
      payload: { enabled: false },
    });
    assert.equal(killed.statusCode, 200, killed.body);
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS + 100));
    const refused = await b.app.inject({
      method: 'POST',
      url: '/v1/coach/conversations',
      headers: as(user),
      payload: {},
    });
    assert.equal(refused.statusCode, 503, refused.body);
  });
});
