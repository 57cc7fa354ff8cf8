import type { Category, Channel, Priority } from './tables.ts';

/** An event as the catalog reads it: data is checked field by field, since it comes from other modules. */
export interface IncomingEvent {
  id: string;
  type: string;
  actorId: string | null;
  coupleId: string | null;
  data: unknown;
}

/** One notification an event asks for, before preferences, quiet hours and targets are applied. */
export interface NotificationSpec {
  userId: string;
  kind: string;
  category: Category;
  priority: Priority;
  /** Fill the message text's placeholders. */
  params: Record<string, string>;
  /** Handed to the app with the notification (deep link ids). */
  data: Record<string, string>;
  /** When set, only these channels may carry it (on top of preferences): e.g. reactions stay in-app. */
  channels?: Channel[];
  /** Email when no push target works (love notes must not go unnoticed). */
  fallbackToEmail?: boolean;
}

function field(data: unknown, name: string): string | undefined {
  const value = (data as Record<string, unknown> | null)?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function fields(data: unknown, name: string): string[] {
  const value = (data as Record<string, unknown> | null)?.[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const someone = (data: unknown, name: string) => field(data, name) ?? 'Your partner';

/** The partner of a note's two parties who is not `actorId`; undefined when the actor is neither. */
function otherPartner(data: unknown, actorId: string | undefined): string | undefined {
  const senderId = field(data, 'senderId');
  const recipientId = field(data, 'recipientId');
  if (!actorId || !senderId || !recipientId || senderId === recipientId) return undefined;
  if (actorId === senderId) return recipientId;
  if (actorId === recipientId) return senderId;
  return undefined;
}

type Rule = (event: IncomingEvent) => NotificationSpec[];

const security =
  (kind: string): Rule =>
  (event) => {
    const userId = field(event.data, 'userId');
    return userId ? [{ userId, kind, category: 'security', priority: 'urgent', params: {}, data: {} }] : [];
  };

/**
 * Which events notify whom, and how. Every rule is a pure function of the
 * event, so a redelivered event asks for exactly the same notifications
 * (and the unique (user_id, event_id) key turns the repeat into a no-op).
 */
export const RULES: Record<string, Rule> = {
  'love-note.delivered': (event) => {
    const userId = field(event.data, 'recipientId');
    const noteId = field(event.data, 'noteId');
    const coupleId = field(event.data, 'coupleId') ?? event.coupleId ?? undefined;
    if (!userId || !noteId) return [];
    return [
      {
        userId,
        kind: 'love-note.received',
        category: 'love-notes',
        priority: 'normal',
        params: { sender: someone(event.data, 'senderName') },
        // coupleId lets love notes file the channel outcomes (notification.deliveries-updated) under the note.
        data: { noteId, ...(coupleId ? { coupleId } : {}) },
        fallbackToEmail: true,
      },
    ];
  },
  'love-note.read': (event) => {
    const userId = field(event.data, 'senderId');
    const noteId = field(event.data, 'noteId');
    if (!userId || !noteId) return [];
    return [
      {
        userId,
        kind: 'love-note.read',
        category: 'love-notes',
        priority: 'low',
        params: { reader: someone(event.data, 'readerName') },
        data: { noteId },
        channels: ['in_app'],
      },
    ];
  },
  'love-note.reacted': (event) => {
    // Either partner may react, the sender too: the other one hears of it, never the one who reacted.
    const actorId = field(event.data, 'userId') ?? event.actorId ?? undefined;
    const userId = otherPartner(event.data, actorId);
    const noteId = field(event.data, 'noteId');
    if (!userId || !noteId) return [];
    return [
      {
        userId,
        kind: 'love-note.reacted',
        category: 'love-notes',
        priority: 'low',
        params: {
          reactor: someone(event.data, 'reactorName'),
          reaction: field(event.data, 'reaction') ?? '❤️',
        },
        data: { noteId },
        // In the inbox at once; by mail only in the hourly digest (low priority), never as a push.
        channels: ['in_app', 'email'],
      },
    ];
  },
  'couple.linked': (event) =>
    fields(event.data, 'userIds').map((userId, index, all) => ({
      userId,
      kind: 'couple.linked',
      category: 'couple',
      priority: 'normal',
      params: { partner: field(event.data, index === 0 ? 'secondName' : 'firstName') ?? 'your partner' },
      data: {
        coupleId: field(event.data, 'coupleId') ?? event.coupleId ?? '',
        partnerId: all[1 - index] ?? '',
      },
    })),
  'couple.unlinked': (event) =>
    fields(event.data, 'userIds').map((userId) => ({
      userId,
      kind: 'couple.unlinked',
      category: 'couple',
      priority: 'normal',
      params: {},
      data: { coupleId: field(event.data, 'coupleId') ?? event.coupleId ?? '' },
    })),
  // Payments: every paid period's invoice, in the inbox and by mail (the PDF is in the app).
  'payment.invoice-issued': (event) => {
    const userId = field(event.data, 'userId');
    const invoiceId = field(event.data, 'invoiceId');
    if (!userId || !invoiceId) return [];
    return [
      {
        userId,
        kind: 'billing.invoice',
        category: 'billing',
        priority: 'normal',
        params: { number: field(event.data, 'number') ?? '', total: field(event.data, 'total') ?? '' },
        data: { invoiceId },
        channels: ['in_app', 'email'],
      },
    ];
  },
  // A calendar reminder: one notification per partner who may see the event, its start in their own zone.
  'calendar.reminder-due': (event) => {
    const eventId = field(event.data, 'eventId');
    const recipients = (event.data as { recipients?: unknown } | null)?.recipients;
    if (!eventId || !Array.isArray(recipients)) return [];
    return recipients.flatMap((recipient): NotificationSpec[] => {
      const userId = field(recipient, 'userId');
      if (!userId) return [];
      return [
        {
          userId,
          kind: 'calendar.reminder',
          category: 'reminders',
          priority: 'normal',
          params: {
            title: field(event.data, 'title') ?? 'Your event',
            when: field(recipient, 'localStart') ?? '',
          },
          data: { eventId, occurrenceStart: field(event.data, 'occurrenceStart') ?? '' },
        },
      ];
    });
  },
  // The partner of whoever answered the daily question hears of it (never the answer itself).
  'questions.answered': (event) => {
    const userId = field(event.data, 'partnerId');
    const day = field(event.data, 'day');
    if (!userId || !day || userId === field(event.data, 'userId')) return [];
    const both = (event.data as { bothAnswered?: unknown }).bothAnswered === true;
    return [
      {
        userId,
        kind: both ? 'questions.revealed' : 'questions.partner-answered',
        category: 'couple',
        priority: 'normal',
        params: {},
        data: { day, questionId: field(event.data, 'questionId') ?? '' },
        channels: ['in_app', 'web_push', 'mobile_push'],
      },
    ];
  },
  'user.password-changed': security('security.password-changed'),
  'user.mfa-enabled': security('security.mfa-enabled'),
  'auth.refresh-reuse-detected': security('security.session-revoked'),
};
