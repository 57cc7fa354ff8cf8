import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { outcomesUpsert } from '../../src/modules/love-notes/channel-outcomes.ts';
import { newId } from '../../src/platform/ids.ts';
import { cloneRows } from '../support/clone-rows.ts';
import { useTestDatabase } from '../support/database.ts';
import { describePlan, genericPlan } from '../support/generic-plan.ts';

/**
 * A batch of channel outcomes checks each outcome's note (and its recipient)
 * before filing it. Written as `where exists (select … from love_notes_notes …)`,
 * PostgreSQL made the check a join, and the generic plan of the prepared
 * statement, made while the notes table was small, hashed every note of the
 * partition for each batch: the note pipeline bench's costliest statement (5.5 ms a
 * batch at 40,000 notes, growing with the table). The check must read each
 * note through its key, whatever the table's size when the plan was made.
 */
const test = useTestDatabase();
const db = () => test.database.db;

describe('channel outcomes', () => {
  before(async () => {
    // A small table (the size at which the join was hashed): 500 notes of 100 couples.
    const first = newId();
    await sql`
      insert into love_notes_notes (couple_id, id, sender_id, recipient_id, body, status, kind, delivered_at)
      values (${newId()}, ${first}, ${newId()}, ${newId()}, 'x', 'delivered', 'note', now())`.execute(db());
    await cloneRows(db(), 'love_notes_notes', {
      where: `s.id = '${first}'`,
      count: 499,
      set: {
        id: `(substr(s.id::text, 1, 24) || lpad(to_hex(g), 12, '0'))::uuid`,
        couple_id: `(substr(s.couple_id::text, 1, 24) || lpad(to_hex(g % 100), 12, '0'))::uuid`,
        recipient_id: `(substr(s.recipient_id::text, 1, 24) || lpad(to_hex(g % 200), 12, '0'))::uuid`,
      },
    });
    await sql`analyze love_notes_notes`.execute(db());
  });

  it("a batch of channel outcomes reads each note through its key in the statement's generic plan", async () => {
    const outcome = {
      notificationId: newId(),
      deliveryId: newId(),
      userId: newId(),
      kind: 'love-note.received',
      channel: 'email',
      status: 'sent' as const,
      reason: null,
      at: new Date().toISOString(),
      data: { noteId: newId(), coupleId: newId() },
      rank: 1,
    };
    const plan = await genericPlan(test.url, outcomesUpsert([outcome]).compile(db()));
    const notes = plan.filter((node) => String(node['Relation Name'] ?? '').startsWith('love_notes_notes'));
    assert.ok(notes.length > 0, `the statement reads the notes: ${describePlan(plan)}`);
    assert.ok(
      !plan.some((node) => String(node['Node Type']).startsWith('Hash')),
      `no hash of the notes: ${describePlan(plan)}`,
    );
    const { rows } = await sql<{ name: string }>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'love_notes_notes'::regclass and c.reltuples > 0`.execute(db());
    const filled = new Set(rows.map((row) => row.name));
    assert.ok(filled.size > 0);
    for (const node of notes) {
      if (!filled.has(String(node['Relation Name']))) continue;
      assert.equal(
        node.index,
        'love_notes_pkey',
        `the partition with notes read by key: ${describePlan(plan)}`,
      );
    }
  });
});
