import type { ContentSummary } from './queries.ts';

/** Marks members-only and premium items, in words (not colour alone). */
export function VisibilityBadge({ visibility }: { visibility: ContentSummary['visibility'] }) {
  if (visibility === 'public') return null;
  return <span className={`badge ${visibility}`}>{visibility === 'premium' ? 'Premium' : 'Members'}</span>;
}
