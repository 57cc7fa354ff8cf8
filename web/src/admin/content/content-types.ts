import type { BodyOf, DataOf } from '@one2one/client';

export type ContentItem = DataOf<'/v1/admin/content/{id}', 'get'>;
export type ContentStatus = ContentItem['status'];
export type NewContent = BodyOf<'/v1/admin/content', 'post'>;
export type ContentChange = BodyOf<'/v1/admin/content/{id}', 'patch'>;
export type Revision = DataOf<'/v1/admin/content/{id}/revisions', 'get'>[number];

export const STATUSES: ContentStatus[] = ['draft', 'scheduled', 'published', 'archived'];
export const TYPES: Record<ContentItem['type'], string> = {
  article: 'Article',
  'blog-post': 'Blog post',
  'podcast-episode': 'Podcast episode',
};
export const VISIBILITIES: Record<ContentItem['visibility'], string> = {
  public: 'Public: anyone',
  members: 'Members: signed-in readers',
  premium: 'Premium couples (others see a preview)',
};

/** A URL name from a title: what the API's slug pattern accepts (lowercase, digits, single hyphens). */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120)
    .replace(/-+$/, '');
}

/** "Love, Trust , habits" → ["love", "trust", "habits"]: tags as the API takes them. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map(slugify).filter(Boolean))];
}
