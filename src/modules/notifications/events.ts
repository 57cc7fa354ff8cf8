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
  }
}

/** What notifications publishes, in the transaction of the change. */
export const NOTIFICATIONS_EVENTS = ['notification.created', 'notification.delivery-updated'] as const;
