import type { Platform } from '../../platform/platform.ts';
import { coupleTag } from './dependencies.ts';

/**
 * `GET /love-notes` (every box) is answered from the gateway's response
 * cache, per user. Every write that changes what a list shows — a note sent,
 * delivered, read, edited, paused, unsent or hidden, a reaction, a favourite,
 * an erasure — calls `forgetBoxes` with the notes it touched after its commit
 * and before it answers, so the writer's next GET and the partner's are
 * fresh on every process. Linking and unlinking clear them through the
 * couples module's tag.
 *
 * A note is listed in exactly two places: its recipient's inbox and its
 * sender's sent box (the scheduled box while it waits, which the same tag
 * covers: delivery moves it from one to the other). So a write clears those
 * two and nothing else: sending a note leaves the sender's own inbox cached,
 * which most of a busy couple's inbox reads hit.
 */
export const inboxTag = (userId: string) => `love-notes.inbox:${userId}`;
/** The sent and scheduled boxes: the notes a user wrote. */
export const sentTag = (userId: string) => `love-notes.sent:${userId}`;

export const listCacheTags = (userId: string, box: 'inbox' | 'sent' | 'scheduled' = 'inbox') => [
  box === 'inbox' ? inboxTag(userId) : sentTag(userId),
  coupleTag(userId),
];

export function forgetBoxes(
  platform: Platform,
  notes: Array<{ sender_id: string; recipient_id: string }>,
): Promise<void> {
  // `invalidate` drops repeats: a couple's thousand notes are four tags at most.
  return platform.responseCache.invalidate(
    notes.flatMap((n) => [sentTag(n.sender_id), inboxTag(n.recipient_id)]),
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
