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
}

export type EventType = keyof EventMap;
