declare module '../../platform/bus/events.ts' {
  interface EventMap {
    /** A person got an inbox item (the realtime connection forwards it). */
    'notification.created': {
      notificationId: string;
      userId: string;
      kind: string;
      category: string;
      title: string;
      body: string;
      data: Record<string, string>;
      /**
       * Its deliveries due now (first attempts), taken by the module's own
       * `notifications-delivery` group: one event carries the inbox item and
       * the ids, instead of a `notification.deliveries-due` beside it. Absent
       * in events written before it existed (nothing due then: they came
       * with their own `notification.deliveries-due`).
       */
      dueDeliveryIds?: string[];
    };
    /**
     * Every channel's delivery of one notification that changed status in one
     * transaction (intake plans all of them at once; an attempt settles
     * several): the same facts as one `notification.delivery-updated` per
     * delivery, in one event. Published only for kinds another module tracks
     * (`love-note.received`); `data` is the notification's (`noteId`,
     * `coupleId`). Status only moves forward: pending < sent < failed |
     * suppressed < delivered.
     */
    'notification.deliveries-updated': {
      notificationId: string;
      userId: string;
      kind: string;
      at: string;
      data: Record<string, string>;
      deliveries: Array<{
        deliveryId: string;
        channel: string;
        status: 'pending' | 'sent' | 'delivered' | 'failed' | 'suppressed';
        reason: string | null;
      }>;
    };
    /**
     * Superseded by `notification.deliveries-updated` (no longer published;
     * still declared and consumed so that events written before it are
     * filed). One channel's delivery of a notification changed status
     * (`pending` planned, `sent` to the provider, `delivered` confirmed,
     * `failed`, `suppressed` by preference or quiet reason). Published only for
     * kinds another module tracks (`love-note.received`); `data` is the
     * notification's (`noteId`, `coupleId`). Status only moves forward:
     * pending < sent < failed | suppressed < delivered.
     */
    'notification.delivery-updated': {
      notificationId: string;
      deliveryId: string;
      userId: string;
      kind: string;
      channel: string;
      status: 'pending' | 'sent' | 'delivered' | 'failed' | 'suppressed';
      reason: string | null;
      at: string;
      data: Record<string, string>;
    };
    /**
     * Deliveries of one notification that are due now (not waiting for quiet
     * hours or the digest): the module's own `notifications-delivery` group
     * makes their first attempt, a batch at a time. Retries and later
     * deliveries are jobs (`notifications.deliver`). Ids only. Published only
     * for a notification kept out of the inbox (its in-app switch is off, so
     * there is no `notification.created` to carry `dueDeliveryIds`).
     */
    'notification.deliveries-due': { notificationId: string; userId: string; deliveryIds: string[] };
  }
}

/** What notifications publishes, in the transaction of the change. */
export const NOTIFICATIONS_EVENTS = [
  'notification.created',
  'notification.deliveries-updated',
  'notification.delivery-updated',
  'notification.deliveries-due',
] as const;
