import { type DataOf, unwrap } from '@one2one/client';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';

export type ContentSummary = DataOf<'/v1/content', 'get'>[number];
export type ContentItem = DataOf<'/v1/content/{slug}', 'get'>;
export type Show = DataOf<'/v1/content/podcasts', 'get'>[number];

export interface ContentFilter {
  q?: string;
  tag?: string;
  type?: ContentSummary['type'];
}

export const libraryKeys = {
  list: (filter: ContentFilter) => ['library', 'list', filter] as const,
  item: (slug: string) => ['library', 'item', slug] as const,
  shows: ['library', 'shows'] as const,
};

export function useContentList(filter: ContentFilter) {
  return useQuery({
    queryKey: libraryKeys.list(filter),
    queryFn: () =>
      unwrap(
        api.GET('/v1/content', {
          params: {
            query: {
              limit: 50,
              ...(filter.q ? { q: filter.q } : {}),
              ...(filter.tag ? { tag: filter.tag } : {}),
              ...(filter.type ? { type: filter.type } : {}),
            },
          },
        }),
      ),
  });
}

export function contentItemQuery(slug: string) {
  return {
    queryKey: libraryKeys.item(slug),
    queryFn: () => unwrap(api.GET('/v1/content/{slug}', { params: { path: { slug } } })),
  };
}

export function useContentItem(slug: string) {
  return useQuery(contentItemQuery(slug));
}
