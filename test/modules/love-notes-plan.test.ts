import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { listQuery } from '../../src/modules/love-notes/queries.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, testAuth } from '../support/test-auth.ts';

/**
 * The inbox and sent lists run as prepared statements. After five executions
 * PostgreSQL may switch a statement to its generic plan (planned once, without
 * the parameters' values) and keep it. That plan must page through the
 * box's index like the per-execution plans do: when the fixed conditions were
 * parameters, it could not use the partial inbox index (`kind = 'note'`), and
 * an inbox miss of a couple with 20,000 notes read and sorted them all (8–22 ms
 * against 0.2 ms).
 */
let t: TestApp;
before(async () => {
  t = await createTestApp({}, { routes: testAuth });
});
after(() => t?.close());

type PlanNode = { 'Node Type': string; 'Index Name'?: string; Plans?: PlanNode[] };
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];
const literal = (value: unknown) =>
  value instanceof Date
    ? `'${value.toISOString()}'`
    : typeof value === 'string'
      ? `'${value}'`
      : String(value);

for (const box of ['inbox', 'sent'] as const) {
  it(`pages the ${box} through its index in the generic plan of its prepared statement`, async () => {
    const { coupleId, a, b } = await makeCouple(t);
    const sent = await t.app.inject({
      method: 'POST',
      url: '/v1/love-notes',
      headers: as(a),
      payload: { body: 'hi' },
    });
    assert.equal(sent.statusCode, 201, sent.body);
    const db = t.platform.database.db;
    // 5,000 more delivered notes from a to b, copies of that one with their own ids and times.
    const { rows: columns } = await sql<{ name: string }>`
      select column_name as name from information_schema.columns
      where table_schema = 'public' and table_name = 'love_notes_notes' order by ordinal_position`.execute(
      db,
    );
    const copy = columns.map(({ name }) =>
      name === 'id'
        ? `(substr(n.id::text, 1, 24) || lpad(to_hex(g), 12, '0'))::uuid`
        : name === 'delivered_at'
          ? `n.delivered_at - g * interval '1 second'`
          : `n.${name}`,
    );
    await sql
      .raw(`insert into love_notes_notes (${columns.map((c) => c.name).join(', ')})
        select ${copy.join(', ')} from love_notes_notes n, generate_series(1, 5000) g
        where n.id = '${sent.json().data.id}'`)
      .execute(db);
    await sql`analyze love_notes_notes`.execute(db);

    // The statement exactly as the app sends it (captured instead of executed).
    let captured: { sql: string; parameters: readonly unknown[] } | undefined;
    const capture = new Proxy(db, {
      get(target, name) {
        if (name === 'executeQuery')
          return async (query: { sql: string; parameters: readonly unknown[] }) => {
            captured = query;
            return { rows: [] };
          };
        const value = Reflect.get(target, name);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as unknown as Parameters<typeof listQuery>[0];
    const params = {
      coupleId,
      userId: box === 'inbox' ? b : a,
      status: '',
      favorite: false,
      from: new Date(0),
      to: new Date(0),
      cursorTime: new Date(0),
      cursorId: '',
      limit: 21,
    };
    await listQuery(capture, params, `${box}:`);
    assert.ok(captured);

    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    try {
      await client.query(`prepare listed as ${captured.sql}`);
      await client.query('set plan_cache_mode = force_generic_plan');
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `explain (format json) execute listed(${captured.parameters.map(literal).join(', ')})`,
      );
      // Limit > (Result) > Merge Append of one index scan per partition: the page read in index
      // order, no sort of the box (the reactions' own subplan sorts a note's few reactions).
      let node = rows[0]!['QUERY PLAN'][0].Plan;
      const path: string[] = [];
      while (node['Node Type'] !== 'Merge Append' && node.Plans?.[0]) {
        path.push(node['Node Type']);
        node = node.Plans[0];
      }
      assert.equal(node['Node Type'], 'Merge Append', `the partitions merged in order: ${path.join(' > ')}`);
      assert.ok(!path.includes('Sort'), `no sort above the merge: ${path.join(' > ')}`);
      const index = `couple_id_${box === 'inbox' ? 'recipient' : 'sender'}_id_delivered`;
      for (const scan of node.Plans ?? []) {
        assert.ok(
          scan['Node Type'] === 'Index Scan' && scan['Index Name']?.includes(index),
          `each partition through the ${box} index: ${JSON.stringify(nodes(node).map((n) => n['Index Name'] ?? n['Node Type']))}`,
        );
      }
    } finally {
      await client.end();
    }
  });
}
