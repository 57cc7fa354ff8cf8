import type { Kysely } from 'kysely';

// Answers recorded by the handler, in the transaction that made its changes:
// the data the route answered with (re-enveloped when replayed), instead of the
// finished response text that the after-the-fact record stores in `response`.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').addColumn('data', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').dropColumn('data').execute();
}
