import type { Static } from 'typebox';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { conflict, notFound, validationError } from '../../platform/http/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { ContentContext } from './context.ts';
import { findMedia, findShow } from './repo.ts';
import type { CreateShowBody, ShowView } from './schemas.ts';
import { baseUrl, feedPath, itemPath, mediaPath } from './urls.ts';

/**
 * Podcast shows and their RSS feeds. A feed is public, so it lists public
 * episodes only: a members or premium episode (and its audio) never appears
 * in it. Built with xmlbuilder2 (escaping, namespaces), to Apple's
 * requirements: the iTunes namespace, channel title, description, image
 * (1400–3000 px square), language, category, explicit, author and owner; each
 * episode's title, enclosure (URL, length in bytes, type), a stable guid (its
 * id), an RFC 2822 pubDate and a duration.
 */
const ITUNES = 'http://www.itunes.com/dtds/podcast-1.0.dtd';
const ATOM = 'http://www.w3.org/2005/Atom';

function feedEpisodes(ctx: ContentContext, showId: string) {
  return ctx.db
    .selectFrom('content_items as i')
    .innerJoin('content_media as m', 'm.id', 'i.audio_media_id')
    .select([
      'i.id',
      'i.slug',
      'i.title',
      'i.excerpt',
      'i.published_at',
      'i.duration_seconds',
      'i.minutes',
      'i.episode_number',
      'm.hash',
      'm.ext',
      'm.bytes',
      'm.content_type',
    ])
    .where('i.show_id', '=', showId)
    .where('i.type', '=', 'podcast-episode')
    .where('i.status', '=', 'published')
    .where('i.visibility', '=', 'public')
    .where('i.published_at', '<=', new Date())
    .orderBy('i.published_at', 'desc')
    .limit(1000)
    .execute();
}

export async function listShows(ctx: ContentContext, origin: string): Promise<Static<typeof ShowView>[]> {
  const shows = await ctx.db
    .selectFrom('content_shows as s')
    .leftJoin('content_media as m', 'm.id', 's.image_media_id')
    .select(['s.id', 's.slug', 's.title', 's.description', 'm.hash', 'm.ext'])
    .orderBy('s.slug')
    .execute();
  const base = baseUrl(ctx.platform, origin);
  const views = [];
  for (const show of shows) {
    views.push({
      slug: show.slug,
      title: show.title,
      description: show.description,
      imageUrl: show.hash && show.ext ? base + mediaPath(show.hash, show.ext) : null,
      feedUrl: base + feedPath(show.slug),
      episodes: (await feedEpisodes(ctx, show.id)).length,
    });
  }
  return views;
}

/** The show's RSS 2.0 feed as XML text; `origin` makes links absolute when PUBLIC_URL is unset. */
export async function showFeed(ctx: ContentContext, slug: string, origin: string): Promise<string> {
  const show = await findShow(ctx.db, slug);
  if (!show) throw notFound('Podcast', slug);
  const base = baseUrl(ctx.platform, origin);
  const image = show.image_media_id
    ? await ctx.db
        .selectFrom('content_media')
        .select(['hash', 'ext'])
        .where('id', '=', show.image_media_id)
        .executeTakeFirst()
    : undefined;
  const episodes = await feedEpisodes(ctx, show.id);
  // The XML builder loads with the first feed asked for, not with every process.
  const { create } = await import('xmlbuilder2');

  const channel = create({ version: '1.0', encoding: 'UTF-8' })
    .ele('rss', { version: '2.0', 'xmlns:itunes': ITUNES, 'xmlns:atom': ATOM })
    .ele('channel');
  channel
    .ele('atom:link', { href: base + feedPath(show.slug), rel: 'self', type: 'application/rss+xml' })
    .up()
    .ele('title')
    .txt(show.title)
    .up()
    .ele('link')
    .txt(`${base}/v1/content?type=podcast-episode`)
    .up()
    .ele('description')
    .txt(show.description)
    .up()
    .ele('language')
    .txt(show.language)
    .up()
    .ele('itunes:author')
    .txt(show.author)
    .up()
    .ele('itunes:owner')
    .ele('itunes:name')
    .txt(show.owner_name)
    .up()
    .ele('itunes:email')
    .txt(show.owner_email)
    .up()
    .up()
    .ele('itunes:category', { text: show.category })
    .up()
    .ele('itunes:explicit')
    .txt(show.explicit ? 'true' : 'false')
    .up()
    .ele('itunes:type')
    .txt('episodic');
  if (image) channel.ele('itunes:image', { href: base + mediaPath(image.hash, image.ext) });
  for (const episode of episodes) {
    const item = channel.ele('item');
    item
      .ele('title')
      .txt(episode.title)
      .up()
      .ele('description')
      .txt(episode.excerpt)
      .up()
      .ele('link')
      .txt(base + itemPath(episode.slug))
      .up()
      .ele('guid', { isPermaLink: 'false' })
      .txt(episode.id)
      .up()
      .ele('pubDate')
      // Date#toUTCString is the RFC 7231 IMF-fixdate, which is an RFC 2822 date ("Tue, 01 Dec 2026 09:00:00 GMT").
      .txt((episode.published_at ?? new Date()).toUTCString())
      .up()
      .ele('enclosure', {
        url: base + mediaPath(episode.hash, episode.ext),
        length: String(episode.bytes),
        type: episode.content_type,
      })
      .up()
      .ele('itunes:duration')
      .txt(String(episode.duration_seconds ?? episode.minutes * 60))
      .up()
      .ele('itunes:explicit')
      .txt(show.explicit ? 'true' : 'false');
    if (episode.episode_number !== null) item.ele('itunes:episode').txt(String(episode.episode_number));
  }
  return channel.end({ prettyPrint: true });
}

/** A new show (staff). Its cover must be an uploaded square image of 1400–3000 px, as Apple requires. */
export async function createShow(
  ctx: ContentContext,
  input: Static<typeof CreateShowBody>,
  origin: string,
): Promise<Static<typeof ShowView>> {
  const image = await findMedia(ctx.db, input.imageMediaId);
  if (image?.kind !== 'image') throw validationError('imageMediaId is not an uploaded image', 'imageMediaId');
  const { width, height } = image;
  if (width === null || width !== height || width < 1400 || width > 3000) {
    throw validationError(`The cover must be square, 1400–3000 px; it is ${width}×${height}`, 'imageMediaId');
  }
  try {
    await ctx.db
      .insertInto('content_shows')
      .values({
        id: newId(),
        slug: input.slug,
        title: input.title,
        description: input.description,
        author: input.author,
        owner_name: input.ownerName,
        owner_email: input.ownerEmail,
        language: input.language,
        category: input.category,
        explicit: input.explicit,
        image_media_id: image.id,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('Another show already uses this slug');
    throw error;
  }
  return (await listShows(ctx, origin)).find((s) => s.slug === input.slug)!;
}
