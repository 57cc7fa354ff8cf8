declare module '../../platform/bus/events.ts' {
  interface EventMap {
    /** Two people became partners. */
    'couple.linked': { coupleId: string; userIds: [string, string] };
    /** A couple closed; its shared history stays readable until `readOnlyUntil`, then is purged. */
    'couple.unlinked': {
      coupleId: string;
      userIds: string[];
      closedBy: string | null;
      reason: 'unlinked' | 'user-deleted';
      readOnlyUntil: string;
    };
    /** The read-only period of a closed couple ended: modules delete its shared data. */
    'couple.purged': { coupleId: string };
  }
}

/** What couples publishes, in the transaction of the change. */
export const COUPLES_EVENTS = ['couple.linked', 'couple.unlinked', 'couple.purged'] as const;
