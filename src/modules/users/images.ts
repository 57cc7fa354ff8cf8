import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { AppError, validationError } from '../../platform/http/errors.ts';

/**
 * Avatar images: the type is decided by the bytes (never by name or
 * Content-Type), the pixel count is checked from the header before anything
 * is decoded (a small file can declare a gigapixel image), and the output is
 * re-encoded WebP, which drops EXIF (GPS) and any payload hidden in the input.
 */

export const AVATAR_MAX_BYTES = 10 * 1024 * 1024;
/** 50 megapixels: above any phone camera, far below what would exhaust memory. */
export const AVATAR_MAX_PIXELS = 50_000_000;
const ACCEPTED = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif']);

// libvips keeps a cache of decoded images; avatars are never read twice.
sharp.cache(false);

export const unsupportedImage = (message: string) =>
  new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', message, { field: 'file' });

export interface Variant {
  size: number;
  body: Buffer;
}

export async function makeVariants(
  input: Buffer,
  sizes: number[],
): Promise<{ hash: string; variants: Variant[] }> {
  const type = await fileTypeFromBuffer(input);
  if (!type || !ACCEPTED.has(type.mime)) {
    throw unsupportedImage('The file is not a JPEG, PNG, WebP or HEIC image');
  }
  let metadata: sharp.Metadata;
  try {
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw unsupportedImage(`The ${type.ext.toUpperCase()} image could not be read`);
  }
  const { width = 0, height = 0 } = metadata;
  if (width * height > AVATAR_MAX_PIXELS) {
    throw validationError(
      `The image is ${width}×${height} pixels; at most ${AVATAR_MAX_PIXELS / 1_000_000} megapixels are accepted`,
      'file',
    );
  }
  const variants: Variant[] = [];
  try {
    for (const size of sizes) {
      const body = await sharp(input, { limitInputPixels: AVATAR_MAX_PIXELS, failOn: 'error' })
        .rotate()
        .resize(size, size, { fit: 'cover', withoutEnlargement: false })
        .webp({ quality: 82 })
        .toBuffer();
      variants.push({ size, body });
    }
  } catch {
    // Truncated or corrupt data, or a HEIC encoding this libvips cannot decode (HEVC).
    throw unsupportedImage(`The ${type.ext.toUpperCase()} image could not be decoded`);
  }
  const hash = createHash('sha256');
  for (const variant of variants) hash.update(variant.body);
  return { hash: hash.digest('hex').slice(0, 20), variants };
}
