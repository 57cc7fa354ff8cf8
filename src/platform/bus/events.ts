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
/**
 * One typed map of every event. The platform declares only its own; each
 * module declares the events it publishes in its own `events.ts` by
 * augmenting this interface:
 *
 * ```ts
 * declare module '../../platform/bus/events.ts' {
 *   interface EventMap { 'love-note.sent': LoveNoteRef & { seriesId: string | null } }
 * }
 * ```
 *
 * so `publish(trx, 'love-note.sent', payload)` type-checks both name and
 * payload without the platform naming a domain word.
 */
export interface EventMap {
  /** Emitted by the platform's own tests and health probes. */
  'platform.test': { value: number };
}

export type EventType = keyof EventMap;
