import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { useTestDatabase } from '../support/database.ts';

/**
 * The revoked-sessions fill (src/modules/auth/revocations.ts) runs at every start and
 * reconnect: it must find the recently revoked sessions by index, not by reading them all.
 */
describe('revoked sessions fill', () => {
  const t = useTestDatabase();

  it('reads recently revoked sessions through the partial index on revoked_at', async () => {
    const plan = await t.database.db.transaction().execute(async (trx) => {
      // A fresh table is tiny, where a scan is cheaper; forbid it to see whether an index can serve.
      await sql`set local enable_seqscan = off`.execute(trx);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`
        explain select id, revoked_at from auth_sessions where revoked_at > now() - interval '15 minutes'`.execute(
        trx,
      );
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    assert.match(plan, /auth_sessions_revoked_at/, plan);
  });
});
