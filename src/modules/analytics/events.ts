import { v5 as uuidv5 } from 'uuid';
import type { EventEnvelope, EventType } from '../../platform/bus/events.ts';
import type { Platform } from '../../platform/platform.ts';
import type { LiveCounters } from './counters.ts';
import type { AnalyticsDeps } from './deps.ts';
import { type EventRow, insertEvents } from './repo.ts';

type Scalar = string | number | boolean | null;

/** How one bus event becomes analytics rows: whose it is, and the few facts worth counting (never a body). */
interface ServerEvent<T extends EventType = EventType> {
  type: T;
  /** The analytics event name, when it is not the bus event's type. */
  name?: string;
  /** Whether this bus event is recorded at all (default: always). */
  recorded?(event: EventEnvelope<T>): boolean;
  users(event: EventEnvelope<T>): Array<string | null | undefined>;
  properties?(event: EventEnvelope<T>): Record<string, Scalar>;
}

const on = <T extends EventType>(
  type: T,
  users: ServerEvent<T>['users'],
  properties?: ServerEvent<T>['properties'],
  more: Pick<ServerEvent<T>, 'name' | 'recorded'> = {},
): ServerEvent => ({ type, users, properties, ...more }) as unknown as ServerEvent;

/**
 * The bus events the `analytics` consumer group records, one line each, under
 * their own type as the event name. To record another (payments, the coach),
 * add a line: its type, whose event it is, and at most a few scalar facts.
 */
export const SERVER_EVENTS: ServerEvent[] = [
  on(
    'user.registered',
    (e) => [e.data.userId],
    (e) => ({ method: e.data.method }),
  ),
  on(
    'user.logged-in',
    (e) => [e.data.userId],
    (e) => ({ method: e.data.method }),
  ),
  on('couple.linked', (e) => e.data.userIds),
  on('couple.unlinked', (e) => e.data.userIds),
  // A note counts as sent when it reaches the inbox: `love-note.delivered` since 3 Dec 2026 (it
  // carries seriesId); the retired `love-note.sent` for the ones written before. A delivery
  // without seriesId was published beside a `love-note.sent`, which is the one recorded.
  on(
    'love-note.delivered',
    (e) => [e.data.senderId],
    (e) => ({ series: e.data.seriesId !== null && e.data.seriesId !== undefined }),
    { name: 'love-note.sent', recorded: (e) => e.data.seriesId !== undefined },
  ),
  on(
    'love-note.sent',
    (e) => [e.data.senderId],
    (e) => ({ series: e.data.seriesId !== null }),
  ),
  on(
    'love-note.scheduled',
    (e) => [e.data.senderId],
    (e) => ({ recurring: e.data.recurring }),
  ),
  on('love-note.read', (e) => [e.data.recipientId]),
  on('love-note.reacted', (e) => [e.data.userId ?? e.data.recipientId]),
  on(
    'payment.subscription-changed',
    (e) => [e.data.userId],
    (e) => ({
      provider: e.data.provider,
      plan: e.data.planId,
      status: e.data.status,
      premium: e.data.premium,
    }),
  ),
  on(
    'payment.invoice-issued',
    (e) => [e.data.userId],
    (e) => ({ totalMinor: e.data.totalMinor, currency: e.data.currency }),
  ),
  on(
    'payment.failed',
    (e) => [e.data.userId],
    (e) => ({ provider: e.data.provider }),
  ),
];

/** Names clients may not use: they would pass for the server's own records. */
export const RESERVED_NAMES = new Set<string>(SERVER_EVENTS.map((s) => s.name ?? s.type));

// Row ids derived from the bus event id and the person, so a redelivery writes nothing new.
const NAMESPACE = '6f1c1f7e-8e43-4c52-9a57-0d0f6e3b9a11';

/**
 * One row per person each event concerns. A person who has not agreed to
 * analytics is recorded anonymously (no user, no couple): the count of notes
 * sent or accounts made stays right, and nothing ties the row to them. The
 * consents of every person in the batch are read at once.
 */
export async function serverRows(
  platform: Platform,
  deps: AnalyticsDeps,
  events: EventEnvelope[],
  executor: unknown,
): Promise<EventRow[]> {
  const asked = events.flatMap((event) => {
    const spec = SERVER_EVENTS.find((s) => s.type === event.type);
    if (!spec || spec.recorded?.(event) === false) return [];
    const users = spec.users(event);
    return [{ event, spec, people: users.length > 0 ? users : [null] }];
  });
  const people = asked.flatMap((a) => a.people).filter((p): p is string => typeof p === 'string' && p !== '');
  const consented = people.length > 0 ? await deps.consentedAmong(platform, people, executor) : new Set();
  const receivedAt = new Date();
  return asked.flatMap(({ event, spec, people }) => {
    const data = event.data as { coupleId?: unknown };
    const coupleId = event.coupleId ?? (typeof data.coupleId === 'string' ? data.coupleId : null);
    const properties = JSON.stringify(spec.properties?.(event) ?? {});
    return people.map((person, index) => {
      const known = person ? consented.has(person) : false;
      return {
        id: uuidv5(`${event.id}:${person ?? index}`, NAMESPACE),
        occurredAt: new Date(event.occurredAt),
        receivedAt,
        event: spec.name ?? event.type,
        source: 'server' as const,
        userId: known ? (person ?? null) : null,
        coupleId: known ? coupleId : null,
        platform: null,
        appVersion: null,
        country: null,
        properties,
      };
    });
  });
}

/** Registers the `analytics` consumer group (worker): a batch of events is one consent read and one insert. */
export function consumeServerEvents(platform: Platform, deps: AnalyticsDeps, counters: LiveCounters): void {
  const record = async (events: EventEnvelope[], trx: unknown) => {
    const rows = await serverRows(platform, deps, events, trx);
    const fresh = await insertEvents(trx as Parameters<typeof insertEvents>[0], rows);
    if (fresh.size === 0) return;
    const written = rows.filter((r) => fresh.has(r.id));
    await counters.record(
      written.length,
      written.map((r) => r.userId),
      written.filter((r) => r.event === 'love-note.sent').length,
    );
  };
  platform.bus.consume(
    'analytics',
    SERVER_EVENTS.map((s) => s.type),
    (event, trx) => record([event], trx),
    undefined,
    { batch: (events, trx) => record(events, trx) },
  );
}
