import { idTime } from '../../platform/ids.ts';
import { eventId, isAfter, type LiveEvent, type LiveReplay } from '../../platform/realtime/live-events.ts';
import { type Db, listInboxSince } from './repo.ts';

/** An inbox item as a live connection receives it. */
export interface LiveNotification {
  id: string;
  kind: string;
  category: string;
  title: string;
  body: string;
  data: Record<string, string>;
  createdAt: string;
}

declare module '../../platform/realtime/live-events.ts' {
  interface LiveEventMap {
    /** A new inbox item for this person. */
    'notification.created': LiveNotification;
  }
}

export const NOTIFICATIONS_LIVE = ['notification.created'] as const;

const MAX_REPLAY = 200;

/**
 * The live message of an inbox item. Its id comes from the item's UUIDv7
 * (time and id), so the push after the commit and a replay after a
 * reconnect carry the same id and the client drops the second.
 */
export function liveNotification(
  item: Omit<LiveNotification, 'createdAt'>,
): LiveEvent<'notification.created'> {
  const at = idTime(item.id);
  return {
    type: 'notification.created',
    id: eventId(at, item.id),
    data: { ...item, createdAt: at.toISOString() },
  };
}

/** Inbox items made after `since`, for a client that reconnects (never ones kept out of the inbox). */
export function replayNotifications(db: (platform: Parameters<LiveReplay>[0]) => Db): LiveReplay {
  return async (platform, userId, since) => {
    const rows = await listInboxSince(db(platform), { userId }, since.at, MAX_REPLAY);
    return rows
      .map((row) =>
        liveNotification({
          id: row.id,
          kind: row.kind,
          category: row.category,
          title: row.title,
          body: row.body,
          data: (row.data ?? {}) as Record<string, string>,
        }),
      )
      .filter((event) => isAfter(event.id, since));
  };
}
