import type { ContentSummary } from './queries.ts';

/**
 * The library's main categories: the primary tags of the starter library
 * (content/starter/library.ts). The API has no category list; a tag not named
 * here is still reachable from an item's tags.
 */
export const CATEGORIES: Array<{ tag: string; label: string }> = [
  { tag: 'communication', label: 'Communication' },
  { tag: 'conflict', label: 'Conflict' },
  { tag: 'intimacy', label: 'Intimacy' },
  { tag: 'gratitude', label: 'Gratitude' },
  { tag: 'long-distance', label: 'Long distance' },
];

export const TYPES: Array<{ type: ContentSummary['type']; label: string }> = [
  { type: 'article', label: 'Articles' },
  { type: 'blog-post', label: 'Blog posts' },
  { type: 'podcast-episode', label: 'Podcast episodes' },
];
