import type { Platform } from '../../platform/platform.ts';

/**
 * Links the module hands out. Relative (`/v1/...`) unless PUBLIC_URL is set;
 * the RSS feed needs absolute ones and passes the request's origin.
 */
export const mediaPath = (hash: string, ext: string) => `/v1/content/media/${hash}.${ext}`;
export const variantPath = (hash: string, variant: string) => `/v1/content/media/${hash}/${variant}`;
export const hlsPath = (hash: string, file: string) => `/v1/content/media/${hash}/hls/${file}`;
export const feedPath = (show: string) => `/v1/content/podcasts/${show}/feed.xml`;
export const itemPath = (slug: string) => `/v1/content/${slug}`;

export function baseUrl(platform: Platform, origin = ''): string {
  return platform.config.publicUrl ?? origin;
}
