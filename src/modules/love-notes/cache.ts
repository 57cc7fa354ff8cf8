import type { Platform } from '../../platform/platform.ts';
import { coupleTag } from './dependencies.ts';

/**
 * `GET /love-notes` (every box) is answered from the gateway's response
 * cache, per user. Every write that changes what a list shows — a note sent,
 * delivered, read, edited, paused, unsent or hidden, a reaction, a favourite,
 * an erasure — calls `forgetBoxes` with the notes it touched after its commit
 * and before it answers: both partners' cached lists go stale on every
 * process, so the writer's next GET and the partner's are fresh. Linking and
 * unlinking clear them through the couples module's tag.
 */
export const boxesTag = (userId: string) => `love-notes.boxes:${userId}`;

export const listCacheTags = (userId: string) => [boxesTag(userId), coupleTag(userId)];

export function forgetBoxes(
  platform: Platform,
  notes: Array<{ sender_id: string; recipient_id: string }>,
): Promise<void> {
  return platform.responseCache.invalidate(
    notes.flatMap((n) => [boxesTag(n.sender_id), boxesTag(n.recipient_id)]),
  );
}

/**
 * `GET /love-notes/templates` is cached per user too (the shipped catalogue is fixed; the personal
 * templates change only through the create, edit and delete routes, which call `forgetTemplates`
 * after their commit and before they answer). An erasure clears every entry of the user.
 */
export const templatesTag = (userId: string) => `love-notes.templates:${userId}`;

export function forgetTemplates(platform: Platform, userId: string): Promise<void> {
  return platform.responseCache.invalidate([templatesTag(userId)]);
}
