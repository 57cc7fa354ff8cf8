import { type Kysely, sql } from 'kysely';

// Published content is a small reference table (the design allows foreign keys
// to it from distributed tables); nothing here is couple- or user-scoped.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('content_media')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('image', 'audio', 'video')`))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('ext', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('shipped_file', 'text')
    .addColumn('uploaded_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('content_authors')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('bio', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('content_shows')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('owner_name', 'text', (c) => c.notNull())
    .addColumn('owner_email', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('explicit', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('image_media_id', 'uuid', (c) => c.references('content_media.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('content_items')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) =>
      c.notNull().check(sql`type in ('article', 'blog-post', 'podcast-episode')`),
    )
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('excerpt', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('preview_html', 'text', (c) => c.notNull())
    .addColumn('cover_image', 'text')
    .addColumn('primary_tag', 'text', (c) => c.notNull())
    .addColumn('tags', sql`text[]`, (c) => c.notNull())
    .addColumn('author_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('minutes', 'integer', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) =>
      c.notNull().check(sql`visibility in ('public', 'members', 'premium')`),
    )
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('draft', 'scheduled', 'published', 'archived')`),
    )
    .addColumn('published_at', 'timestamptz')
    .addColumn('show_id', 'uuid', (c) => c.references('content_shows.id'))
    .addColumn('audio_media_id', 'uuid', (c) => c.references('content_media.id'))
    .addColumn('duration_seconds', 'integer')
    .addColumn('episode_number', 'integer')
    .addColumn('created_by', 'uuid')
    .addColumn('updated_by', 'uuid')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('search', sql`tsvector`, (c) =>
      c
        .generatedAlwaysAs(
          sql`setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', excerpt), 'B') || setweight(to_tsvector('english', body_text), 'C')`,
        )
        .stored(),
    )
    .addCheckConstraint('content_items_episode', sql`(type = 'podcast-episode') = (show_id is not null)`)
    .execute();
  await sql`create index content_items_search on content_items using gin (search)`.execute(db);
  await sql`create index content_items_title_trgm on content_items using gin (title gin_trgm_ops)`.execute(
    db,
  );
  await sql`create index content_items_feed on content_items (status, published_at desc, id desc)`.execute(
    db,
  );
  await sql`create index content_items_tags on content_items using gin (tags)`.execute(db);
  await sql`create index content_items_due on content_items (published_at) where status = 'scheduled'`.execute(
    db,
  );

  await db.schema
    .createTable('content_revisions')
    .addColumn('item_id', 'uuid', (c) => c.notNull().references('content_items.id').onDelete('cascade'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('excerpt', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('tags', sql`text[]`, (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('editor_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('content_revisions_pkey', ['item_id', 'revision'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'content_revisions',
    'content_items',
    'content_shows',
    'content_authors',
    'content_media',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
