import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Files shipped with the code for the starter show (cover and audio, under 1 MB in all). */
export function shippedFilePath(name: string): string {
  if (!/^[a-z0-9-]+\.(mp3|jpg)$/.test(name)) throw new Error(`not a shipped file: ${name}`);
  return fileURLToPath(new URL(`./assets/${name}`, import.meta.url));
}

export function readShipped(name: string): Buffer {
  return readFileSync(shippedFilePath(name));
}

/** Content hash used in media names: 128 bits of SHA-256, hex. */
export function contentHash(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 32);
}

/** Where a media file lives in object storage: public, immutable, named by its hash. */
export const mediaKey = (hash: string, ext: string) => `public/content/media/${hash}.${ext}`;
