import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import type { Static } from 'typebox';
import { AppError, validationError } from '../../platform/http/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { ContentContext } from './context.ts';
import { findMediaByHash } from './repo.ts';
import type { MediaView } from './schemas.ts';
import { contentHash, mediaKey, readShipped } from './starter/assets.ts';
import type { MediaRow } from './tables.ts';
import { baseUrl, hlsPath, mediaPath, variantPath } from './urls.ts';
import { acceptVideo, VIDEO_TYPES } from './video.ts';

/**
 * The media library. The type of an upload is decided by its bytes
 * (file-type), never by its name or Content-Type. Images are checked for
 * their pixel count from the header before anything is decoded (a small file
 * can declare a gigapixel image: a decompression bomb), then re-encoded,
 * which drops EXIF (GPS, camera) and anything hidden after the image data.
 * Files are stored once under their content hash, so every URL is immutable.
 */
sharp.cache(false);

const IMAGE_TYPES: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'webp',
  'image/avif': 'webp',
  'image/heic': 'webp',
  'image/heif': 'webp',
};
const AUDIO_TYPES: Record<string, string> = {
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/aac': 'aac',
  'audio/ogg': 'ogg',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
};
const OUTPUT_TYPE: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** Named image variants (width in pixels), made on first request in WebP or AVIF. */
export const IMAGE_VARIANTS = { thumb: 320, card: 640, large: 1280 } as const;
export type VariantName = keyof typeof IMAGE_VARIANTS;
export type VariantFormat = 'webp' | 'avif';

export const unsupported = (message: string) =>
  new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', message, { field: 'file' });

interface Prepared {
  kind: 'image' | 'audio';
  body: Buffer;
  contentType: string;
  ext: string;
  width: number | null;
  height: number | null;
}

async function prepareImage(input: Buffer, mime: string, maxPixels: number): Promise<Prepared> {
  let metadata: sharp.Metadata;
  try {
    // The header only: nothing is decoded yet, so no limit is needed to read it.
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw unsupported('The image could not be read');
  }
  const { width = 0, height = 0 } = metadata;
  const frames = metadata.pages ?? 1;
  if (width * height * frames > maxPixels) {
    throw validationError(
      `The image is ${width}×${height} pixels${frames > 1 ? ` × ${frames} frames` : ''}; at most ${maxPixels} pixels are accepted`,
      'file',
    );
  }
  const ext = IMAGE_TYPES[mime]!;
  try {
    // failOn 'error': truncated or corrupt data is refused; re-encoding keeps no metadata.
    const image = sharp(input, { limitInputPixels: maxPixels, failOn: 'error' }).rotate();
    const encoded =
      ext === 'jpg'
        ? image.jpeg({ quality: 85, mozjpeg: true })
        : ext === 'png'
          ? image.png()
          : image.webp({ quality: 85 });
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return {
      kind: 'image',
      body: data,
      contentType: OUTPUT_TYPE[ext]!,
      ext,
      width: info.width,
      height: info.height,
    };
  } catch {
    throw unsupported('The image could not be decoded');
  }
}

export async function uploadMedia(
  ctx: ContentContext,
  userId: string,
  input: Buffer,
): Promise<Static<typeof MediaView>> {
  const type = await fileTypeFromBuffer(input);
  if (type && type.mime in VIDEO_TYPES)
    return mediaView(ctx, await acceptVideo(ctx, userId, input, type.mime));
  let prepared: Prepared;
  if (type && type.mime in IMAGE_TYPES) {
    prepared = await prepareImage(input, type.mime, ctx.platform.config.content.imageMaxPixels);
  } else if (type && type.mime in AUDIO_TYPES) {
    const ext = AUDIO_TYPES[type.mime]!;
    prepared = { kind: 'audio', body: input, contentType: type.mime, ext, width: null, height: null };
  } else {
    throw unsupported(
      'The file is not a JPEG, PNG, WebP, GIF, AVIF or HEIC image, nor MP3, M4A, AAC, Ogg or WAV audio',
    );
  }
  const hash = contentHash(prepared.body);
  const existing = await findMediaByHash(ctx.db, hash);
  if (existing) return mediaView(ctx, existing);
  const key = mediaKey(hash, prepared.ext);
  await ctx.platform.storage.put(key, prepared.body, prepared.contentType);
  const row = await ctx.db
    .insertInto('content_media')
    .values({
      id: newId(),
      kind: prepared.kind,
      content_type: prepared.contentType,
      ext: prepared.ext,
      bytes: prepared.body.length,
      hash,
      key,
      width: prepared.width,
      height: prepared.height,
      shipped_file: null,
      uploaded_by: userId,
    })
    .onConflict((oc) => oc.column('hash').doNothing())
    .returningAll()
    .executeTakeFirst();
  return mediaView(ctx, row ?? (await findMediaByHash(ctx.db, hash))!);
}

export function mediaView(ctx: ContentContext, row: MediaRow): Static<typeof MediaView> {
  const base = baseUrl(ctx.platform);
  return {
    id: row.id,
    kind: row.kind,
    contentType: row.content_type,
    bytes: row.bytes,
    width: row.width,
    height: row.height,
    status: row.status,
    url: base + (row.kind === 'video' ? hlsPath(row.hash, 'master.m3u8') : mediaPath(row.hash, row.ext)),
    variants:
      row.kind === 'image'
        ? Object.fromEntries(
            Object.keys(IMAGE_VARIANTS).map((name) => [name, base + variantPath(row.hash, name)]),
          )
        : {},
  };
}

/** The stored bytes of a media file; a shipped starter file is copied to storage on first use. */
export async function mediaBytes(ctx: ContentContext, row: MediaRow): Promise<Buffer | undefined> {
  const stored = await ctx.platform.storage.get(row.key);
  if (stored) return stored.body;
  if (!row.shipped_file) return undefined;
  const body = readShipped(row.shipped_file);
  await ctx.platform.storage.put(row.key, body, row.content_type);
  return body;
}

export const variantKey = (hash: string, name: VariantName, format: VariantFormat) =>
  `public/content/variants/${hash}-${name}.${format}`;

/** A named variant of an image, made and stored on its first request. */
export async function imageVariant(
  ctx: ContentContext,
  row: MediaRow,
  name: VariantName,
  format: VariantFormat,
): Promise<Buffer | undefined> {
  const key = variantKey(row.hash, name, format);
  const stored = await ctx.platform.storage.get(key);
  if (stored) return stored.body;
  const original = await mediaBytes(ctx, row);
  if (!original) return undefined;
  const resized = sharp(original, { limitInputPixels: ctx.platform.config.content.imageMaxPixels }).resize({
    width: IMAGE_VARIANTS[name],
    withoutEnlargement: true,
  });
  const body = await (format === 'avif'
    ? resized.avif({ quality: 55, effort: 2 })
    : resized.webp({ quality: 80 })
  ).toBuffer();
  await ctx.platform.storage.put(key, body, `image/${format}`);
  return body;
}
