import type { Platform } from '../../platform/platform.ts';

/**
 * Public lists and pages are answered from the gateway's response cache for
 * a short while. Every write that readers can see (publish, edit, archive,
 * delete, a scheduled publication) purges this one tag: after its commit in
 * the process that made it, and again from the `content.published` /
 * `content.updated` consumer so every process and region agrees.
 */
export const CONTENT_TAG = 'content';

export const contentCacheTags = () => [CONTENT_TAG];

export function purgeContent(platform: Platform): Promise<void> {
  return platform.responseCache.invalidate([CONTENT_TAG]);
}
