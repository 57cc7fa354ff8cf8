import type { Static } from 'typebox';
import { type Access, lockOf } from './access.ts';
import type { ContentContext } from './context.ts';
import { authorNames, findMedia, showSlugs } from './repo.ts';
import type { ItemSummary, ItemView, StaffItem } from './schemas.ts';
import type { ItemRow } from './tables.ts';
import { baseUrl, mediaPath } from './urls.ts';

export type Summary = Static<typeof ItemSummary>;
export type View = Static<typeof ItemView>;

export function toSummary(row: ItemRow): Summary {
  return {
    id: row.id,
    type: row.type,
    slug: row.slug,
    title: row.title,
    excerpt: row.excerpt,
    coverImage: row.cover_image,
    primaryTag: row.primary_tag,
    tags: row.tags,
    minutes: row.minutes,
    visibility: row.visibility,
    publishedAt: row.published_at?.toISOString() ?? null,
  };
}

/** The reader's view: the whole body, or only its preview when the caller may not read it. */
export async function toView(ctx: ContentContext, row: ItemRow, access: Access): Promise<View> {
  const lock = lockOf(access, row.visibility);
  const names = await authorNames(ctx.db, row.author_ids);
  let episode: View['episode'] = null;
  if (row.type === 'podcast-episode' && row.show_id) {
    const show = (await showSlugs(ctx.db, [row.show_id])).get(row.show_id) ?? '';
    const audio = row.audio_media_id && !lock ? await findMedia(ctx.db, row.audio_media_id) : undefined;
    episode = {
      show,
      episodeNumber: row.episode_number,
      durationSeconds: row.duration_seconds,
      audioUrl: audio ? baseUrl(ctx.platform) + mediaPath(audio.hash, audio.ext) : null,
    };
  }
  return {
    ...toSummary(row),
    authors: row.author_ids.map((id) => ({ id, name: names.get(id) ?? '' })).filter((a) => a.name !== ''),
    html: lock ? row.preview_html : row.body_html,
    locked: lock !== null,
    lockedReason: lock,
    episode,
  };
}

export async function toStaffItems(
  ctx: ContentContext,
  rows: ItemRow[],
): Promise<Static<typeof StaffItem>[]> {
  const shows = await showSlugs(
    ctx.db,
    rows.flatMap((r) => (r.show_id ? [r.show_id] : [])),
  );
  return rows.map((row) => ({
    ...toSummary(row),
    status: row.status,
    body: row.body,
    html: row.body_html,
    authorIds: row.author_ids,
    show: row.show_id ? (shows.get(row.show_id) ?? null) : null,
    audioMediaId: row.audio_media_id,
    durationSeconds: row.duration_seconds,
    episodeNumber: row.episode_number,
    revision: row.revision,
    updatedAt: row.updated_at.toISOString(),
  }));
}

export async function toStaffItem(ctx: ContentContext, row: ItemRow) {
  return (await toStaffItems(ctx, [row]))[0]!;
}
