import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { dueItemsQuery } from '../../src/modules/content/editorial.ts';
import { invitesSentBy } from '../../src/modules/couples/personal-data.ts';
import { purgeDueQuery, revokePendingQuery } from '../../src/modules/couples/repo.ts';
import { cancelScheduledQuery } from '../../src/modules/love-notes/closed-couples.ts';
import { dueNotes } from '../../src/modules/love-notes/delivery.ts';
import { deliveredSince } from '../../src/modules/love-notes/live-resume.ts';
import { pendingCount } from '../../src/modules/love-notes/repo.ts';
import {
  digestItemsQuery,
  failuresQuery,
  reopenFailureQuery,
  usersWithDigestQuery,
} from '../../src/modules/notifications/repo.ts';
import { newId } from '../../src/platform/ids.ts';
import { cloneRows } from '../support/clone-rows.ts';
import { useTestDatabase } from '../support/database.ts';
import { describePlan, genericPlan, type PlanNode, readsOf } from '../support/generic-plan.ts';

/**
 * Every query runs as a named prepared statement, and after five executions
 * PostgreSQL may switch it to its generic plan: planned once without the
 * parameters' values, then kept. A query that should read a partial index
 * (`... where status = 'scheduled'`) must state the index's condition in
 * literals, else that plan cannot use the index and reads the whole table.
 * Each test seeds enough rows that the index pays, forces the generic plan of
 * the query exactly as its module builds it, and checks the index is read.
 */
const test = useTestDatabase();
const db = () => test.database.db;

function assertReads(plan: PlanNode[], ...indexes: string[]) {
  assert.ok(
    indexes.some((index) => readsOf(plan, index).length > 0),
    `reads ${indexes.join(' or ')}: ${describePlan(plan)}`,
  );
}

/** No sequential scan of the table or of a partition of it that holds rows (an empty one costs nothing). */
async function assertNoFullScan(plan: PlanNode[], table: string) {
  for (const node of plan) {
    const relation = node['Relation Name'];
    if (node['Node Type'] !== 'Seq Scan' || !relation?.startsWith(table)) continue;
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(relation)}`.execute(
      db(),
    );
    assert.equal(rows[0]!.n, 0, `no sequential scan of ${relation}: ${describePlan(plan)}`);
  }
}

describe('love notes', () => {
  const couple = newId();
  const sender = newId();
  const recipient = newId();
  before(async () => {
    // 5,000 delivered notes from the sender and 20 scheduled ones, all due, in this month's partition.
    const delivered = newId();
    const scheduled = newId();
    await sql`
      insert into love_notes_notes (couple_id, id, sender_id, recipient_id, body, status, kind, delivered_at, scheduled_at)
      values (${couple}, ${delivered}, ${sender}, ${recipient}, 'x', 'delivered', 'note', now(), null),
             (${couple}, ${scheduled}, ${sender}, ${recipient}, 'x', 'scheduled', 'note', null, now() - interval '1 minute')`.execute(
      db(),
    );
    // Ids of the same millisecond as their original (so of its partition), the copy's number at the end.
    const id = (from: number) => `(substr(s.id::text, 1, 24) || lpad(to_hex(${from} + g), 12, '0'))::uuid`;
    await cloneRows(db(), 'love_notes_notes', {
      where: `s.id = '${delivered}'`,
      count: 5000,
      set: { id: id(0), delivered_at: `s.delivered_at - g * interval '1 second'` },
    });
    await cloneRows(db(), 'love_notes_notes', {
      where: `s.id = '${scheduled}'`,
      count: 20,
      set: { id: id(10_000) },
    });
    await sql`analyze love_notes_notes`.execute(db());
  });

  it('the due sweep reads the index of due notes (love_notes_due)', async () => {
    const plan = await genericPlan(test.url, dueNotes(db(), new Date(), 200));
    assertReads(plan, 'love_notes_due');
    await assertNoFullScan(plan, 'love_notes_notes');
    assert.ok(!plan.some((node) => node['Node Type'] === 'Sort'), `no sort: ${describePlan(plan)}`);
  });

  it("a sender's pending count reads the index of pending notes (love_notes_pending)", async () => {
    const plan = await genericPlan(test.url, pendingCount(db(), sender));
    assertReads(plan, 'love_notes_pending');
    await assertNoFullScan(plan, 'love_notes_notes');
  });

  it("an unlink's cancellation reads the index of pending notes (love_notes_pending)", async () => {
    const plan = await genericPlan(
      test.url,
      cancelScheduledQuery(db(), couple, { createdBefore: new Date() }, new Date()),
    );
    assertReads(plan, 'love_notes_pending');
    await assertNoFullScan(plan, 'love_notes_notes');
  });

  it("a reconnect's replay of delivered notes reads the inbox index (love_notes_inbox)", async () => {
    const plan = await genericPlan(
      test.url,
      deliveredSince(db(), couple, recipient, new Date(Date.now() - 60_000)),
    );
    assertReads(plan, 'love_notes_inbox');
    await assertNoFullScan(plan, 'love_notes_notes');
  });
});

describe('content', () => {
  before(async () => {
    // The starter library's articles 200 times over, published, and five due scheduled ones.
    await cloneRows(db(), 'content_items', {
      where: `s.type <> 'podcast-episode'`,
      count: 200,
      set: { id: 'gen_random_uuid()', slug: `s.slug || '-' || g` },
    });
    await cloneRows(db(), 'content_items', {
      where: `s.id = (select id from content_items where type = 'article' order by id limit 1)`,
      count: 5,
      set: {
        id: 'gen_random_uuid()',
        slug: `s.slug || '-scheduled-' || g`,
        status: `'scheduled'`,
        published_at: `now() - interval '1 minute'`,
      },
    });
    await sql`analyze content_items`.execute(db());
  });

  it('the publish backstop reads an index of scheduled items, not the library', async () => {
    const plan = await genericPlan(test.url, dueItemsQuery(db()));
    assertReads(plan, 'content_items_due', 'content_items_feed');
    await assertNoFullScan(plan, 'content_items');
  });
});

describe('notifications', () => {
  const user = newId();
  before(async () => {
    // 20,000 deliveries of 50 people (the first is `user`): 0.5% failed, 0.5% waiting for a digest.
    await sql`
      insert into notifications_items (user_id, id, event_id, kind, category, priority, title, body)
      select case when g % 50 = 0 then ${user}::uuid else ('00000000-0000-7000-8000-' || lpad(to_hex(g % 50), 12, '0'))::uuid end,
        gen_random_uuid(), gen_random_uuid(), 'k', 'c', 'low', 't', 'b'
      from generate_series(1, 20000) g`.execute(db());
    await sql`
      insert into notifications_deliveries (user_id, id, notification_id, channel, status, digest)
      select user_id, gen_random_uuid(), id, 'email',
        case when row_number() over () % 200 = 0 then 'failed' when row_number() over () % 200 = 1 then 'pending' else 'sent' end,
        row_number() over () % 200 = 1 or row_number() over () % 3 = 0
      from notifications_items`.execute(db());
    await sql`analyze notifications_items`.execute(db());
    await sql`analyze notifications_deliveries`.execute(db());
  });

  it('the failed list reads the index of failed deliveries, newest first without a sort', async () => {
    const plan = await genericPlan(test.url, failuresQuery(db(), { limit: 50 }));
    assertReads(plan, 'notifications_deliveries_failed');
    await assertNoFullScan(plan, 'notifications_deliveries');
    assert.ok(!plan.some((node) => node['Node Type'] === 'Sort'), `no sort: ${describePlan(plan)}`);
  });

  it('a replay finds the failed delivery by id through the index of failed deliveries', async () => {
    const plan = await genericPlan(test.url, reopenFailureQuery(db(), newId()));
    assertReads(plan, 'notifications_deliveries_failed');
    await assertNoFullScan(plan, 'notifications_deliveries');
  });

  it('the digest finds its people through the digest index', async () => {
    const plan = await genericPlan(test.url, usersWithDigestQuery(db(), 100));
    assertReads(plan, 'notifications_deliveries_digest');
    await assertNoFullScan(plan, 'notifications_deliveries');
  });

  it("the digest locks a person's waiting items through the digest index", async () => {
    const plan = await genericPlan(test.url, digestItemsQuery(db(), { userId: user }, 'email'));
    assertReads(plan, 'notifications_deliveries_digest');
    await assertNoFullScan(plan, 'notifications_deliveries');
  });
});

describe('couples', () => {
  before(async () => {
    // 20,000 couples (a tenth closed, half of those past their read-only period) and 20,000 invites (2% pending).
    await sql`
      insert into couples_couples (id, user_a, user_b, status, closed_at, read_only_until)
      select gen_random_uuid(), gen_random_uuid(), gen_random_uuid(),
        case when g % 10 = 0 then 'closed' else 'active' end,
        case when g % 10 = 0 then now() end,
        case when g % 10 = 0 then now() + (g % 60 - 30) * interval '1 day' end
      from generate_series(1, 20000) g`.execute(db());
    await sql`
      insert into couples_invites (code, inviter_id, status, expires_at)
      select 'code' || g, gen_random_uuid(), case when g % 50 = 0 then 'pending' else 'accepted' end, now()
      from generate_series(1, 20000) g`.execute(db());
    await sql`analyze couples_couples`.execute(db());
    await sql`analyze couples_invites`.execute(db());
  });

  it('the purge reads the index of closed couples (couples_couples_purge)', async () => {
    const plan = await genericPlan(test.url, purgeDueQuery(db(), new Date()));
    assertReads(plan, 'couples_couples_purge');
    await assertNoFullScan(plan, 'couples_couples');
  });

  it("a person's export reads their invites through the inviter index, not every invite", async () => {
    const plan = await genericPlan(test.url, invitesSentBy(db(), newId()));
    assertReads(plan, 'couples_invites_inviter');
    await assertNoFullScan(plan, 'couples_invites');
  });

  it("a link revokes the inviter's pending invites through the index of pending invites", async () => {
    const plan = await genericPlan(test.url, revokePendingQuery(db(), { userId: newId() }));
    assertReads(plan, 'couples_invites_one_pending');
    await assertNoFullScan(plan, 'couples_invites');
  });
});
