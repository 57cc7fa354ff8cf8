import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { DISTRIBUTION } from '../../src/distribution.ts';
import { citusPlan, type DistributionMap, type Placement } from '../../src/platform/db/distribution.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, caller, registerUser, type SignedIn } from '../support/auth.ts';
import { makeCouple } from '../support/love-notes.ts';
import { testAuth } from '../support/test-auth.ts';

/**
 * Citus readiness, proven on the catalog of a migrated database (Citus itself
 * is not packaged for this machine). Rules (docs/scaling.md):
 * - every table is in the map (src/distribution.ts);
 * - a distributed table has its distribution column NOT NULL, in its primary
 *   key and in every unique index;
 * - a foreign key between distributed tables stays in one colocation group and
 *   pairs the distribution columns; reference tables point only at reference
 *   tables; nothing points at a local table from a distributed or reference one;
 * - the hot-path queries filter on (or insert) the distribution column of every
 *   distributed table they touch, read from EXPLAIN of the statements the real
 *   app sends.
 * A break is allowed only where the map lists it as a known exception, and an
 * exception that no longer happens fails too, so the list stays true.
 */

interface Table {
  oid: number;
  schema: string;
  name: string;
}

const qualified = (t: { schema: string; name: string }) =>
  t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;

function placementOf(map: DistributionMap, t: { schema: string; name: string }): Placement | undefined {
  return map[qualified(t)] ?? map[`${t.schema}.*`];
}

const violation = (table: string, rule: string, name: string) => `${table} ${rule} ${name}`;

function declaredExceptions(map: DistributionMap, hot: boolean): string[] {
  return Object.entries(map).flatMap(([table, placement]) =>
    placement.kind === 'distributed'
      ? (placement.exceptions ?? [])
          .filter((e) => (e.rule === 'hot-query') === hot)
          .map((e) => violation(table, e.rule, e.name))
      : [],
  );
}

/** Everything the catalog says against the map: unmapped tables, stale entries, and rule breaks. */
async function catalogViolations(client: pg.Client, map: DistributionMap) {
  const tables = (
    await client.query<Table>(`
      select c.oid::int as oid, n.nspname as schema, c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and not c.relispartition
        and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
      order by 1`)
  ).rows;
  const unmapped = tables.filter((t) => !placementOf(map, t)).map(qualified);
  const known = new Set(tables.map(qualified));
  const schemas = new Set(tables.map((t) => t.schema));
  const stale = Object.keys(map).filter((key) =>
    key.endsWith('.*') ? !schemas.has(key.slice(0, -2)) : !known.has(key),
  );

  const byOid = new Map(tables.map((t) => [t.oid, t]));
  const columns = (
    await client.query<{ oid: number; name: string; attnum: number; not_null: boolean; type: string }>(`
      select attrelid::int as oid, attname as name, attnum::int as attnum, attnotnull as not_null,
             format_type(atttypid, atttypmod) as type
      from pg_attribute where attnum > 0 and not attisdropped`)
  ).rows;
  const column = (oid: number, name: string) => columns.find((c) => c.oid === oid && c.name === name);
  const constraints = (
    await client.query<{
      oid: number;
      name: string;
      type: 'p' | 'f';
      keys: number[];
      ref_oid: number;
      ref_keys: number[] | null;
    }>(`
      select conrelid::int as oid, conname as name, contype as type, conkey::int[] as keys,
             confrelid::int as ref_oid, confkey::int[] as ref_keys
      from pg_constraint where contype in ('p', 'f') and conparentid = 0`)
  ).rows;
  const uniques = (
    await client.query<{ oid: number; name: string; keys: number[] }>(`
      select i.indrelid::int as oid, c.relname as name, string_to_array(i.indkey::text, ' ')::int[] as keys
      from pg_index i join pg_class c on c.oid = i.indexrelid
      join pg_class t on t.oid = i.indrelid
      where i.indisunique and not i.indisprimary and not t.relispartition`)
  ).rows;

  const found: string[] = [];
  const groupTypes = new Map<string, Set<string>>();
  for (const table of tables) {
    const placement = placementOf(map, table);
    if (!placement) continue;
    const label = qualified(table);
    const fks = constraints.filter((c) => c.oid === table.oid && c.type === 'f');
    if (placement.kind !== 'distributed') {
      for (const fk of fks) {
        const target = byOid.get(fk.ref_oid);
        const targetPlacement = target && placementOf(map, target);
        // A reference table may point only at reference tables; a local one at local or reference ones.
        const allowed =
          targetPlacement?.kind === 'reference' ||
          (placement.kind === 'local' && targetPlacement?.kind === 'local');
        if (!allowed) found.push(violation(label, 'foreign-key', fk.name));
      }
      continue;
    }
    const dist = column(table.oid, placement.column);
    if (!dist) {
      found.push(violation(label, 'column', placement.column));
      continue;
    }
    const types = groupTypes.get(placement.colocation) ?? new Set();
    types.add(dist.type);
    groupTypes.set(placement.colocation, types);
    if (!dist.not_null) found.push(violation(label, 'not-null', placement.column));
    const pk = constraints.find((c) => c.oid === table.oid && c.type === 'p');
    if (pk && !pk.keys.includes(dist.attnum)) found.push(violation(label, 'primary-key', pk.name));
    for (const unique of uniques.filter((u) => u.oid === table.oid)) {
      if (!unique.keys.includes(dist.attnum)) found.push(violation(label, 'unique', unique.name));
    }
    for (const fk of fks) {
      const target = byOid.get(fk.ref_oid);
      const targetPlacement = target && placementOf(map, target);
      if (targetPlacement?.kind === 'reference') continue;
      const paired =
        target !== undefined &&
        targetPlacement?.kind === 'distributed' &&
        targetPlacement.colocation === placement.colocation &&
        fk.keys.some(
          (key, i) =>
            key === dist.attnum && fk.ref_keys?.[i] === column(target.oid, targetPlacement.column)?.attnum,
        );
      if (!paired) found.push(violation(label, 'foreign-key', fk.name));
    }
  }
  // citusPlan runs the map in order: a foreign key's target must be placed before the table that has it.
  const order = Object.keys(map);
  const outOfOrder = constraints
    .filter((c) => c.type === 'f' && byOid.has(c.oid) && byOid.has(c.ref_oid) && c.oid !== c.ref_oid)
    .filter(
      (c) => order.indexOf(qualified(byOid.get(c.ref_oid)!)) > order.indexOf(qualified(byOid.get(c.oid)!)),
    )
    .map((c) => c.name);
  const mixedGroups = [...groupTypes].filter(([, types]) => types.size > 1).map(([group]) => group);
  return { unmapped, stale, found, mixedGroups, outOfOrder };
}

interface Sent {
  label: string;
  text: string;
  values: unknown[];
}

/**
 * Every distributed table a statement touches must be reached through its
 * distribution column: inserts list it; every scan (read from EXPLAIN VERBOSE)
 * has an equality on `alias.column` in an index condition, filter or join.
 */
async function hotQueryViolations(client: pg.Client, map: DistributionMap, statements: Sent[]) {
  const partitions = new Map(
    (
      await client.query<{ child: string; root: string }>(`
        select c.relname as child, pg_partition_root(c.oid)::regclass::text as root
        from pg_class c where c.relispartition`)
    ).rows.map((r) => [r.child, r.root]),
  );
  const tableOf = (relation: string) => partitions.get(relation) ?? relation;
  const distributed = (table: string) => {
    const placement = map[table];
    return placement?.kind === 'distributed' ? placement : undefined;
  };

  const found = new Set<string>();
  const touched = new Map<string, Set<string>>();
  const touch = (name: string, table: string) =>
    touched.set(name, (touched.get(name) ?? new Set()).add(table));
  for (const statement of statements.filter(
    (s) => s.label !== 'idle' && /^\s*(select|insert|update|delete|with)\b/i.test(s.text),
  )) {
    // Inserts: the distribution column must be among the inserted columns.
    for (const match of statement.text.matchAll(/insert into "?(\w+)"?(?: as "?\w+"?)?\s*\(([^)]*)\)/gi)) {
      const table = match[1]!;
      const placement = distributed(table);
      if (!placement) continue;
      touch(statement.label, table);
      const inserted = match[2]!.split(',').map((c) => c.trim().replaceAll('"', ''));
      if (!inserted.includes(placement.column)) found.add(violation(table, 'hot-query', statement.label));
    }
    // Reads, updates, deletes: every scan of a distributed table has an equality on its column.
    const { rows } = await client.query(`explain (verbose, format json) ${statement.text}`, statement.values);
    const scans: { table: string; alias: string }[] = [];
    const conditions: string[] = [];
    const walk = (node: Record<string, unknown>) => {
      if (typeof node['Relation Name'] === 'string' && node['Node Type'] !== 'ModifyTable') {
        scans.push({ table: tableOf(node['Relation Name']), alias: String(node.Alias) });
      }
      for (const key of ['Index Cond', 'Recheck Cond', 'Filter', 'Hash Cond', 'Merge Cond', 'Join Filter']) {
        if (typeof node[key] === 'string') conditions.push(node[key]);
      }
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk((rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
    for (const scan of scans) {
      const placement = distributed(scan.table);
      if (!placement) continue;
      touch(statement.label, scan.table);
      const ref = `${scan.alias.replace(/[^\w]/g, '\\$&')}\\.${placement.column}\\b`;
      const keyed = new RegExp(`(\\b${ref}\\s*=)|(=\\s*${ref})`);
      if (!conditions.some((c) => keyed.test(c))) {
        found.add(violation(scan.table, 'hot-query', statement.label));
      }
    }
  }

  return { found, touched };
}

describe('Citus readiness: the catalog against src/distribution.ts', () => {
  let client: pg.Client;
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ AUTH_REFRESH_STORE: 'postgres' }, { routes: testAuth });
    client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
  });
  after(async () => {
    await client?.end();
    await t?.close();
  });

  it('maps every table, and every entry names a table', async () => {
    const { unmapped, stale, outOfOrder } = await catalogViolations(client, DISTRIBUTION);
    assert.deepEqual(unmapped, [], 'tables missing from src/distribution.ts');
    assert.deepEqual(stale, [], 'entries of src/distribution.ts that name no table');
    assert.deepEqual(outOfOrder, [], 'foreign keys whose target comes after their table in the map');
  });

  it('docs/scaling.md quotes the current plan (npm run citus:plan)', async () => {
    const doc = await readFile(new URL('../../docs/scaling.md', import.meta.url), 'utf8');
    assert.ok(
      doc.includes(`\`\`\`sql\n${citusPlan(DISTRIBUTION)}\`\`\``),
      'paste the output of `npm run citus:plan`',
    );
  });

  it('breaks the key rules only where the map lists a known exception', async () => {
    const { found, mixedGroups } = await catalogViolations(client, DISTRIBUTION);
    assert.deepEqual(mixedGroups, [], 'a colocation group needs one distribution column type');
    const declared = declaredExceptions(DISTRIBUTION, false);
    assert.deepEqual(
      found.filter((v) => !declared.includes(v)).sort(),
      [],
      'new violations: fix the schema, or list them with a reason and a plan',
    );
    assert.deepEqual(
      declared.filter((v) => !found.includes(v)).sort(),
      [],
      'listed exceptions that no longer happen: remove them from the map',
    );
  });

  it('fails a table that is not in the map, a unique index without the key and a crossing foreign key', async () => {
    // The checks themselves, on tables made for the purpose (rolled back).
    await client.query('begin');
    try {
      await client.query(`
        create table zz_owned (user_id uuid not null, id uuid not null, slug text, primary key (user_id, id));
        create unique index zz_owned_slug on zz_owned (slug);
        create table zz_child (couple_id uuid not null, id uuid primary key, owner uuid, owned uuid,
          foreign key (owner, owned) references zz_owned (user_id, id));`);
      const map: DistributionMap = {
        ...DISTRIBUTION,
        zz_owned: { kind: 'distributed', column: 'user_id', colocation: 'user' },
        zz_child: { kind: 'distributed', column: 'couple_id', colocation: 'couple' },
      };
      const withNew = await catalogViolations(client, map);
      const declared = declaredExceptions(map, false);
      assert.deepEqual(withNew.found.filter((v) => !declared.includes(v)).sort(), [
        'zz_child foreign-key zz_child_owner_owned_fkey',
        'zz_child primary-key zz_child_pkey',
        'zz_owned unique zz_owned_slug',
      ]);
      assert.deepEqual((await catalogViolations(client, DISTRIBUTION)).unmapped, ['zz_owned', 'zz_child']);
    } finally {
      await client.query('rollback');
    }
  });

  describe('hot-path queries filter on the distribution key', () => {
    const sent: Sent[] = [];
    let label = 'setup';
    const original = pg.Client.prototype.query;
    let a: SignedIn;
    let b: SignedIn;

    before(async () => {
      const call = caller(t.app);
      a = await registerUser(call);
      b = await registerUser(call);
      await makeCouple(t, { ids: [a.id, b.id] });
      const consent = await t.app.inject({
        method: 'POST',
        url: '/v1/users/me/consents',
        headers: bearer(a.accessToken),
        payload: { type: 'analytics', version: '1', granted: true },
      });
      assert.equal(consent.statusCode, 201, consent.body);
      // Every statement the app sends from here on, with its parameters, tagged by the request that sent it.
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
        const first = args[0] as string | { text?: string; values?: unknown[] } | undefined;
        const text = typeof first === 'string' ? first : first?.text;
        const values =
          (Array.isArray(args[1]) ? args[1] : typeof first === 'object' ? first?.values : []) ?? [];
        if (text && this !== client) sent.push({ label, text, values });
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof original;
    });
    after(() => {
      pg.Client.prototype.query = original;
    });

    /** The hot paths (design: inbox, profile, content reads; note sends; notifications; analytics; sign-in). */
    async function runHotPaths(): Promise<void> {
      const call = async (name: string, method: string, url: string, user?: SignedIn, payload?: object) => {
        label = name;
        const res = await t.app.inject({
          method: method as 'GET',
          url,
          headers: user ? bearer(user.accessToken) : {},
          ...(payload ? { payload } : {}),
        });
        label = 'idle';
        assert.ok(res.statusCode < 300, `${name}: ${method} ${url} → ${res.statusCode} ${res.body}`);
        return res.json().data;
      };
      await call('sign in', 'POST', '/v1/auth/login', undefined, { email: a.email, password: a.password });
      await call('refresh', 'POST', '/v1/auth/refresh', undefined, { refreshToken: b.refreshToken });
      const note = await call('send', 'POST', '/v1/love-notes', a, { body: 'Thinking of you' });
      await call('inbox', 'GET', '/v1/love-notes?box=inbox&limit=20', b);
      await call('open a note', 'GET', `/v1/love-notes/${note.id}`, b);
      await call('notification list', 'GET', '/v1/notifications?limit=20', b);
      await call('unread count', 'GET', '/v1/notifications/unread-count', b);
      await call('profile', 'GET', '/v1/users/me', a);
      await call('partner profile', 'GET', `/v1/users/${b.id}`, a);
      await call('couple', 'GET', '/v1/couples/me', a);
      await call('calendar', 'POST', '/v1/calendar/events', a, {
        title: 'Dinner',
        start: '2026-12-04T19:30',
        end: '2026-12-04T22:00',
        timeZone: 'Europe/Berlin',
      });
      await call('calendar', 'GET', '/v1/calendar?year=2026&month=12', b);
      await call('daily question', 'GET', '/v1/questions/today', a);
      await call('daily question', 'POST', '/v1/questions/today/answer', a, { answer: 'Your laugh' });
      await call('analytics', 'POST', '/v1/analytics/batch', a, {
        events: [
          { id: randomUUID(), event: 'screen.viewed' },
          { id: randomUUID(), event: 'note.opened' },
        ],
      });
    }

    it('catches a read or an insert without the distribution key', async () => {
      const check = async (text: string, values: unknown[]) => [
        ...(await hotQueryViolations(client, DISTRIBUTION, [{ label: 'probe', text, values }])).found,
      ];
      const id = '01890000-0000-7000-8000-000000000000';
      assert.deepEqual(await check('select * from love_notes_notes where id = $1', [id]), [
        'love_notes_notes hot-query probe',
      ]);
      assert.deepEqual(
        await check('select * from love_notes_notes where couple_id = $1 and id = $2', [id, id]),
        [],
      );
      assert.deepEqual(
        await check(
          'select n.id from couples_active_members m join love_notes_notes n on n.couple_id = m.couple_id where m.user_id = $1',
          [id],
        ),
        [],
      );
      assert.deepEqual(
        await check(
          'select r.* from love_notes_reactions r join love_notes_notes n on n.id = r.note_id where n.couple_id = $1',
          [id],
        ),
        ['love_notes_reactions hot-query probe'],
      );
      assert.deepEqual(
        await check('insert into "users_preferences" ("preferences") values ($1) on conflict do nothing', [
          '{}',
        ]),
        ['users_preferences hot-query probe'],
      );
    });

    it('every distributed table a hot path touches is reached through its distribution column', async () => {
      await runHotPaths();
      pg.Client.prototype.query = original;
      const { found, touched } = await hotQueryViolations(client, DISTRIBUTION, sent);

      // The check must have seen the tables the hot paths are about.
      for (const [name, table] of [
        ['send', 'love_notes_notes'],
        ['inbox', 'love_notes_notes'],
        ['notification list', 'notifications_items'],
        ['profile', 'users_profiles'],
        ['calendar', 'calendar_events'],
        ['daily question', 'questions_days'],
        ['sign in', 'auth_accounts'],
        ['refresh', 'auth_refresh_tokens'],
        ['analytics', 'analytics_events'],
      ] as const) {
        assert.ok(
          touched.get(name)?.has(table),
          `${name} never reached ${table}: ${[...(touched.get(name) ?? [])]}`,
        );
      }
      const declared = declaredExceptions(DISTRIBUTION, true);
      assert.deepEqual(
        [...found].filter((v) => !declared.includes(v)).sort(),
        [],
        'hot queries without the distribution key: add it to the query, or list it with a reason and a plan',
      );
      assert.deepEqual(
        declared.filter((v) => !found.has(v)).sort(),
        [],
        'listed hot-query exceptions that no longer happen',
      );
    });
  });
});
