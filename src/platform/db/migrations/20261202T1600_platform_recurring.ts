import { type Kysely, sql } from 'kysely';

// When each interval task (jobs.recurring with everyMs) may next run; a claim moves it forward.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('platform_recurring_runs')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('next_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('platform_recurring_runs').execute();
}
