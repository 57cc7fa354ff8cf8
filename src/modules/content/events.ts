import type { ItemStatus, ItemType, Visibility } from './tables.ts';

declare module '../../platform/bus/events.ts' {
  interface EventMap {
    /** An item became visible to readers (published now, or its scheduled time came). */
    'content.published': {
      itemId: string;
      slug: string;
      type: ItemType;
      visibility: Visibility;
      publishedAt: string;
    };
    /** An item changed in a way readers or caches may see: edited, scheduled, archived or deleted. */
    'content.updated': {
      itemId: string;
      slug: string;
      change: 'edited' | 'scheduled' | 'archived' | 'deleted';
      status: ItemStatus | 'deleted';
      revision: number;
    };
  }
}

/** What content publishes, in the transaction of the change. */
export const CONTENT_EVENTS = ['content.published', 'content.updated'] as const;
