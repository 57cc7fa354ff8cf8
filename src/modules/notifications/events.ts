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
    };
    /**
     * One channel's delivery of a notification changed status
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
     * deliveries are jobs (`notifications.deliver`). Ids only.
     */
    'notification.deliveries-due': { notificationId: string; userId: string; deliveryIds: string[] };
  }
}

/** What notifications publishes, in the transaction of the change. */
export const NOTIFICATIONS_EVENTS = [
  'notification.created',
  'notification.delivery-updated',
  'notification.deliveries-due',
] as const;
