import { type Kysely, sql } from 'kysely';

// Videos are packaged to HLS by a job after upload: a media row is `processing`
// until its renditions and master playlist are stored, or `failed` with why.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('content_media')
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('ready').check(sql`status in ('processing', 'ready', 'failed')`),
    )
    .addColumn('error', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('content_media').dropColumn('status').dropColumn('error').execute();
}
