import { type Kysely, sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { htmlToText, readingMinutes, renderMarkdown, renderPreview } from '../markdown.ts';
import { contentHash, mediaKey, readShipped } from '../starter/assets.ts';
import { STARTER_LIBRARY, STARTER_SHOW } from '../starter/library.ts';
import type { ContentTables } from '../tables.ts';

// The starter library: 32 articles and posts and a sample podcast show with
// two episodes, so a fresh install has real content and a valid feed. Rows are
// keyed by slug (and media by hash), so running it twice adds nothing. The
// audio and cover stay in the code (starter/assets) until first served.
export async function up(database: Kysely<unknown>): Promise<void> {
  const db = database as unknown as Kysely<ContentTables>;
  const publishedAt = new Date('2026-12-01T08:00:00Z');
  const media = async (file: string, kind: 'image' | 'audio', type: string, ext: string, size?: number) => {
    const body = readShipped(file);
    const hash = contentHash(body);
    await db
      .insertInto('content_media')
      .values({
        id: uuidv7(),
        kind,
        content_type: type,
        ext,
        bytes: body.length,
        hash,
        key: mediaKey(hash, ext),
        width: size ?? null,
        height: size ?? null,
        shipped_file: file,
        uploaded_by: null,
      })
      .onConflict((oc) => oc.column('hash').doNothing())
      .execute();
    return (
      await db.selectFrom('content_media').select('id').where('hash', '=', hash).executeTakeFirstOrThrow()
    ).id;
  };
  const insertItem = async (item: {
    type: 'article' | 'blog-post' | 'podcast-episode';
    slug: string;
    title: string;
    excerpt: string;
    body: string;
    tags: string[];
    visibility: 'public' | 'members' | 'premium';
    minutes?: number;
    show_id?: string;
    audio_media_id?: string;
    duration_seconds?: number;
    episode_number?: number;
    published_at: Date;
  }) => {
    const id = uuidv7();
    const inserted = await db
      .insertInto('content_items')
      .values({
        id,
        type: item.type,
        slug: item.slug,
        title: item.title,
        excerpt: item.excerpt,
        body: item.body,
        body_html: renderMarkdown(item.body),
        body_text: htmlToText(renderMarkdown(item.body)),
        preview_html: renderPreview(item.body),
        cover_image: null,
        primary_tag: item.tags[0] ?? 'general',
        tags: item.tags,
        author_ids: [],
        minutes: item.minutes ?? readingMinutes(item.body),
        visibility: item.visibility,
        status: 'published',
        published_at: item.published_at,
        show_id: item.show_id ?? null,
        audio_media_id: item.audio_media_id ?? null,
        duration_seconds: item.duration_seconds ?? null,
        episode_number: item.episode_number ?? null,
        created_by: null,
        updated_by: null,
        revision: 1,
      })
      .onConflict((oc) => oc.column('slug').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return;
    await db
      .insertInto('content_revisions')
      .values({
        item_id: id,
        revision: 1,
        title: item.title,
        excerpt: item.excerpt,
        body: item.body,
        tags: item.tags,
        visibility: item.visibility,
        editor_id: null,
      })
      .execute();
  };

  // Spread over the day before the release, in list order (newest first).
  const total = STARTER_LIBRARY.length;
  for (const [index, item] of STARTER_LIBRARY.entries()) {
    await insertItem({ ...item, published_at: new Date(publishedAt.getTime() + (total - index) * 60_000) });
  }

  const cover = await media(STARTER_SHOW.cover, 'image', 'image/jpeg', 'jpg', 1400);
  await db
    .insertInto('content_shows')
    .values({
      id: uuidv7(),
      slug: STARTER_SHOW.slug,
      title: STARTER_SHOW.title,
      description: STARTER_SHOW.description,
      author: STARTER_SHOW.author,
      owner_name: STARTER_SHOW.ownerName,
      owner_email: STARTER_SHOW.ownerEmail,
      language: STARTER_SHOW.language,
      category: STARTER_SHOW.category,
      explicit: false,
      image_media_id: cover,
    })
    .onConflict((oc) => oc.column('slug').doNothing())
    .execute();
  const show = await db
    .selectFrom('content_shows')
    .select('id')
    .where('slug', '=', STARTER_SHOW.slug)
    .executeTakeFirstOrThrow();
  for (const episode of STARTER_SHOW.episodes) {
    const audio = await media(episode.audio, 'audio', 'audio/mpeg', 'mp3');
    await insertItem({
      type: 'podcast-episode',
      slug: episode.slug,
      title: episode.title,
      excerpt: episode.excerpt,
      body: episode.body,
      tags: episode.tags,
      visibility: episode.visibility,
      minutes: 1,
      show_id: show.id,
      audio_media_id: audio,
      duration_seconds: episode.durationSeconds,
      episode_number: episode.episodeNumber,
      published_at: new Date(publishedAt.getTime() + episode.episodeNumber * 3_600_000),
    });
  }
}

export async function down(database: Kysely<unknown>): Promise<void> {
  const slugs = [...STARTER_LIBRARY.map((i) => i.slug), ...STARTER_SHOW.episodes.map((e) => e.slug)];
  await sql`delete from content_items where slug = any(${slugs}::text[])`.execute(database);
  await sql`delete from content_shows where slug = ${STARTER_SHOW.slug}`.execute(database);
}
