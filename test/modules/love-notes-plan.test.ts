import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { listQuery } from '../../src/modules/love-notes/queries.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { cloneRows } from '../support/clone-rows.ts';
import { describePlan, genericPlan } from '../support/generic-plan.ts';
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
    await cloneRows(db, 'love_notes_notes', {
      where: `s.id = '${sent.json().data.id}'`,
      count: 5000,
      set: {
        id: `(substr(s.id::text, 1, 24) || lpad(to_hex(g), 12, '0'))::uuid`,
        delivered_at: `s.delivered_at - g * interval '1 second'`,
      },
    });
    await sql`analyze love_notes_notes`.execute(db);

    // The statement exactly as the app sends it.
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
    const plan = await genericPlan(t.database.url, listQuery.compiled(db, params, `${box}:`));
    // Limit > (Result) > Merge Append of one index scan per partition: the page read in index
    // order, no sort of the box (the reactions' own subplan sorts a note's few reactions).
    let node = plan[0]!;
    const path: string[] = [];
    while (node['Node Type'] !== 'Merge Append' && node.Plans?.[0]) {
      path.push(node['Node Type']);
      node = node.Plans[0];
    }
    assert.equal(node['Node Type'], 'Merge Append', `the partitions merged in order: ${path.join(' > ')}`);
    assert.ok(!path.includes('Sort'), `no sort above the merge: ${path.join(' > ')}`);
    const index = box === 'inbox' ? 'love_notes_inbox' : 'love_notes_sent';
    for (const scan of node.Plans ?? []) {
      assert.ok(
        scan['Node Type'] === 'Index Scan' && scan.index === index,
        `each partition through the ${box} index: ${describePlan(plan)}`,
      );
    }
  });
}
