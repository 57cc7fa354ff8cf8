/**
 * The envelope every event travels in, on either transport. `type` is
 * `<stream>.<what-happened>`, e.g. `love-note.sent`; the part before the dot
 * names the stream (`user.events`, `love-note.events`, ...).
 */
export interface EventEnvelope<T extends keyof EventMap = keyof EventMap> {
  id: string;
  type: T;
  version: number;
  occurredAt: string;
  actorId: string | null;
  coupleId: string | null;
  data: EventMap[T];
}

/**
 * One typed map of every event: modules add their events here, and
 * `publish(trx, 'user.registered', payload)` type-checks both name and payload.
 */
export interface EventMap {
  /** Emitted by the platform's own tests and health probes. */
  'platform.test': { value: number };
  /** Two people became partners (couples module). */
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
  /** A person asked to be forgotten: every module erases what it holds about them. */
  'user.deleted': { userId: string };
  /** An admin suspended an account: sessions end and sign-in is refused until unsuspended. */
  'user.suspended': { userId: string; reason: string | null };
  'user.unsuspended': { userId: string };
  /** Auth: an account was created (by password or by an OpenID provider). */
  'user.registered': { userId: string; email: string; displayName: string; method: 'password' | 'oauth' };
  /** Auth: a session started (password, password + MFA, or an OpenID provider). */
  'user.logged-in': { userId: string; sessionId: string; method: string };
  /** Auth: the password changed (`change` by the user, `reset` by mail link); other sessions are revoked. */
  'user.password-changed': { userId: string; reason: 'change' | 'reset' };
  /** Auth: TOTP MFA was switched on. */
  'user.mfa-enabled': { userId: string };
  /** Auth: a spent refresh token was presented again; its whole session was revoked. */
  'auth.refresh-reuse-detected': { userId: string; sessionId: string };
  /**
   * Love notes (published by the love-notes module; shapes agreed with notifications, which
   * consumes them): the note reached its recipient, was read (only with the recipient's read
   * receipt), got a reaction (additions only). Never a body.
   */
  'love-note.delivered': NoteParties & { coupleId?: string; deliveredAt?: string; senderName?: string };
  'love-note.read': NoteParties & { coupleId?: string; readAt?: string; receipt?: true; readerName?: string };
  'love-note.reacted': NoteParties & {
    coupleId?: string;
    userId?: string;
    reaction: string;
    reactorName?: string;
  };
  /** Notifications: a person got an inbox item (the realtime connection forwards it). */
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
   * Notifications: one channel's delivery of a notification changed status
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
  /** A note reached its recipient's inbox (now, or when its scheduled time came). */
  'love-note.sent': LoveNoteRef & { seriesId: string | null };
  'love-note.scheduled': LoveNoteRef & { scheduledAt: string; recurring: boolean };
}

/** Which note between whom: the part every love-note event carries. */
export interface NoteParties {
  noteId: string;
  senderId: string;
  recipientId: string;
}

/** Who and which note: events never carry a note's body. */
export interface LoveNoteRef {
  noteId: string;
  coupleId: string;
  senderId: string;
  recipientId: string;
}

export type EventType = keyof EventMap;
