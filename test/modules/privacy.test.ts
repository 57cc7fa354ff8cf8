import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { sql } from 'kysely';
import sharp from 'sharp';
import { MODULES } from '../../src/modules/index.ts';
import { registerIdentityConfirmer } from '../../src/modules/users/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { as, eventually, newUserId, testAuth } from '../support/test-auth.ts';

/**
 * Tables that are not a module's: the migration log, and the transports
 * (outbox, bus deliveries, idempotency replies) whose rows carry ids only
 * while an event or a retry is in flight, and which their owners prune.
 */
const PLATFORM_TABLES = [
  /^schema_migrations/,
  /^outbox_events$/,
  /^bus_/,
  /^idempotency_keys$/,
  /^platform_/,
];
const PASSWORD = 'correct horse battery staple';

describe('privacy: export and deletion across modules', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
    registerIdentityConfirmer(async (_userId, proof) => proof.password === PASSWORD);
  });
  after(() => t.close());

  const db = () => t.platform.database.db;
  const call = (method: string, url: string, userId: string, payload?: object) =>
    t.app.inject({ method: method as 'GET', url, headers: as(userId), ...(payload ? { payload } : {}) });

  async function tables(): Promise<string[]> {
    const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(db());
    return rows.map((r) => r.name);
  }

  /** A person with something in every table of both modules, linked to a partner. */
  async function populatedCouple() {
    const [a, b] = [newUserId(), newUserId()];
    await call('PATCH', '/v1/users/me', a, { handle: `del_${a.slice(-8)}`, displayName: 'Del', bio: 'bio' });
    await call('PATCH', '/v1/users/me/preferences', a, { units: 'imperial' });
    await call('POST', '/v1/users/me/consents', a, { type: 'terms', version: '2026-01-01', granted: true });
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'a.png');
    const request = new Request('http://x/v1/users/me/avatar', { method: 'PUT', body: form });
    const avatar = await t.app.inject({
      method: 'PUT',
      url: '/v1/users/me/avatar',
      headers: { ...as(a), 'content-type': request.headers.get('content-type')! },
      payload: Buffer.from(await request.arrayBuffer()),
    });
    assert.equal(avatar.statusCode, 200, avatar.body);
    const code = (await call('POST', '/v1/couples/invites', a)).json().data.code;
    const linked = await call('POST', `/v1/couples/invites/${code}/accept`, b);
    assert.equal(linked.statusCode, 200);
    await call('PATCH', '/v1/couples/me', a, { nickname: 'Bear', anniversary: '2022-02-02' });
    return { a, b, coupleId: linked.json().data.id as string, code };
  }

  async function finishedExport(userId: string) {
    const started = await call('POST', '/v1/users/me/export', userId);
    assert.equal(started.statusCode, 202, started.body);
    const id = started.json().data.id as string;
    return eventually(async () => {
      const res = await call('GET', `/v1/users/me/export/${id}`, userId);
      return res.json().data.status === 'ready' ? res.json().data : undefined;
    });
  }

  it('requires every module that owns tables to export and erase personal data', async () => {
    const owners = new Map(MODULES.map((m) => [m.name.replaceAll('-', '_'), m]));
    for (const table of await tables()) {
      if (PLATFORM_TABLES.some((pattern) => pattern.test(table))) continue;
      const owner = [...owners.keys()].find((prefix) => table.startsWith(`${prefix}_`));
      assert.ok(owner, `table ${table} is not prefixed with the name of the module that owns it`);
      assert.ok(
        owners.get(owner)!.personalData,
        `module ${owner} owns ${table} but has no personalData exporter/eraser`,
      );
    }
  });

  it('exports a ZIP with one JSON file per module, behind a signed 24 h link', async () => {
    const { a, b, coupleId } = await populatedCouple();
    const job = await finishedExport(a);
    assert.equal(job.progress, 100);
    const hours = (Date.parse(job.expiresAt) - Date.now()) / 3_600_000;
    assert.ok(hours > 23.9 && hours <= 24, String(hours));
    const download = await t.app.inject({ url: job.downloadUrl });
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers['content-type'], 'application/zip');
    const files = unzipSync(new Uint8Array(download.rawPayload));
    const names = Object.keys(files).sort();
    assert.deepEqual(
      names,
      [...MODULES.filter((m) => m.personalData).map((m) => `${m.name}.json`), 'manifest.json'].sort(),
    );
    const users = JSON.parse(strFromU8(files['users.json']!));
    assert.equal(users.profile.id, a);
    assert.equal(users.profile.bio, 'bio');
    assert.equal(users.preferences.units, 'imperial');
    assert.equal(users.consents[0].type, 'terms');
    const couples = JSON.parse(strFromU8(files['couples.json']!));
    assert.equal(couples.couples[0].id, coupleId);
    assert.equal(couples.couples[0].partnerId, b);
    assert.equal(couples.couples[0].nicknameForPartner, 'Bear');
    assert.equal(couples.invitesSent.length, 1);

    // The link is the only way in: tampered, expired or someone else's is a 404.
    const tampered = job.downloadUrl.replace(/signature=./, 'signature=A');
    assert.equal((await t.app.inject({ url: tampered })).statusCode, 404);
    const unsigned = job.downloadUrl.split('?')[0];
    assert.equal((await t.app.inject({ url: unsigned })).statusCode, 404);
    assert.equal((await call('GET', `/v1/users/me/export/${job.id}`, b)).statusCode, 404);
  });

  it('runs one export at a time per person: a second request returns the one in flight', async () => {
    const a = newUserId();
    await call('GET', '/v1/users/me', a);
    const inFlight = newUserId();
    await sql`insert into users_exports (user_id, id, status) values (${a}, ${inFlight}, 'running')`.execute(
      db(),
    );
    const again = await call('POST', '/v1/users/me/export', a);
    assert.equal(again.statusCode, 202);
    assert.equal(again.json().data.id, inFlight);
    assert.equal(again.json().data.status, 'running');
    assert.equal(again.json().data.downloadUrl, null);
  });

  it('starts exports while earlier ones finish without ever failing (the one in flight may end mid-request)', async () => {
    const a = newUserId();
    await call('GET', '/v1/users/me', a);
    const statuses: number[] = [];
    for (let round = 0; round < 60; round++) {
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => call('POST', '/v1/users/me/export', a)),
      );
      statuses.push(...answers.map((res) => res.statusCode));
    }
    assert.deepEqual([...new Set(statuses)], [202]);
  });

  it('refuses deletion without the right password, and when no confirmation is available', async () => {
    const a = newUserId();
    const wrong = await call('DELETE', '/v1/users/me', a, { password: 'nope' });
    assert.equal(wrong.statusCode, 403);
    assert.equal((await call('DELETE', '/v1/users/me', a, {})).statusCode, 400);
    registerIdentityConfirmer(undefined);
    try {
      assert.equal((await call('DELETE', '/v1/users/me', a, { password: PASSWORD })).statusCode, 503);
    } finally {
      registerIdentityConfirmer(async (_userId, proof) => proof.password === PASSWORD);
    }
    assert.equal((await call('GET', '/v1/users/me', a)).statusCode, 200);
  });

  it('deletes: deactivated at once, user.deleted published, and afterwards no table holds the id', async () => {
    const { a, b, coupleId } = await populatedCouple();
    await finishedExport(a);
    const res = await call('DELETE', '/v1/users/me', a, { password: PASSWORD });
    assert.equal(res.statusCode, 202, res.body);
    const { rows: deleted } = await sql<{ n: number }>`select count(*)::int as n from outbox_events
      where type = 'user.deleted' and data->>'userId' = ${a}`.execute(db());
    assert.equal(deleted[0]!.n, 1);

    await eventually(async () => {
      const { rows } = await sql<{
        done: boolean;
      }>`select completed_at is not null as done from users_erasures
        where id = ${res.json().data.erasureId}`.execute(db());
      return rows[0]?.done ? true : undefined;
    });

    // Every row of every module table, as text: the id appears nowhere.
    for (const table of await tables()) {
      if (PLATFORM_TABLES.some((pattern) => pattern.test(table))) continue;
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} as t
        where t::text like ${`%${a}%`}`.execute(db());
      assert.equal(rows[0]!.n, 0, `${table} still holds the deleted user's id`);
    }
    // The anonymised audit record is there, without the id.
    const { rows: audit } = await sql<{ subject_hash: string }>`select subject_hash from users_erasures
      where id = ${res.json().data.erasureId}`.execute(db());
    assert.match(audit[0]!.subject_hash, /^[0-9a-f]{64}$/);
    // No stored file names the user.
    for (const prefix of ['public/avatars/', 'exports/']) {
      const keys = await t.platform.storage.list(prefix);
      assert.ok(!keys.some((key) => key.includes(a)), `${prefix} still has files of the deleted user`);
    }

    // The account stays gone: its still-valid token cannot recreate a profile.
    assert.equal((await call('GET', '/v1/users/me', a)).statusCode, 401);
    assert.equal((await call('GET', `/v1/users/${a}`, b)).statusCode, 404);
    // The partner keeps the closed couple, read-only, without the erased person.
    const couple = (await call('GET', '/v1/couples/me', b)).json().data;
    assert.equal(couple.id, coupleId);
    assert.equal(couple.status, 'closed');
    assert.equal(couple.partner, null);
    const { rows: unlinked } = await sql<{ data: { reason: string; userIds: string[] } }>`select data
      from outbox_events where type = 'couple.unlinked' and couple_id = ${coupleId}`.execute(db());
    assert.equal(unlinked[0]!.data.reason, 'user-deleted');
    assert.deepEqual(unlinked[0]!.data.userIds, [b]);
  });
});
