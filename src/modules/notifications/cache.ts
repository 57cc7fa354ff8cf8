import type { ResponseCache } from '../../platform/gateway/response-cache/index.ts';

/**
 * `GET /notifications` (every variant: `unread`, `limit`, `cursor`) is
 * answered from the gateway's response cache, per user, under this tag.
 * Every write that changes what a list answers calls `forgetInboxes` after
 * its commit and before it answers (or, in the worker, before the bus batch
 * is acknowledged), so the next GET on any process reads again:
 * - intake of an item shown in the inbox (intake.ts, through the bus
 *   handler's after-commit hook; an item kept out of the inbox changes nothing);
 * - `notification.created` before it is pushed live, so a client that
 *   refetches on the live event cannot meet an entry older than the item;
 * - marking one or all read, deleting one (service.ts);
 * - erasure: `user.deleted` (worker.ts) and the users module's eraser
 *   (personal-data.ts).
 * Delivery statuses, digests, preferences and push targets are not part of
 * the list and do not touch it.
 */
export const inboxTag = (userId: string) => `notifications.inbox:${userId}`;

export function forgetInboxes(cache: Pick<ResponseCache, 'invalidate'>, userIds: string[]): Promise<void> {
  return cache.invalidate([...new Set(userIds)].map(inboxTag));
}
