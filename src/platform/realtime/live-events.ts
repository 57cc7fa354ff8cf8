import type { Platform } from '../platform.ts';

/**
 * One typed map of every live (realtime) event: what a user's open WebSocket
 * or SSE connections receive. The platform names none; each module declares
 * its own in its `live.ts` by augmenting this interface
 * (`declare module '../../platform/realtime/live-events.ts' { interface LiveEventMap { ... } }`),
 * so `hub.push(userId, { type, id, data })` type-checks both.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in modules
export interface LiveEventMap {}

export type LiveEventType = keyof LiveEventMap;

/**
 * A message as it reaches a user's live connections: `{ type, id, data }`.
 * Ids are `<epoch ms>_<uuid>` (`eventId`), so they sort by time across every
 * module's events and a reconnecting client can say where it left off.
 */
export interface LiveEvent<T extends LiveEventType = LiveEventType> {
  type: T;
  id: string;
  data: LiveEventMap[T];
}

/** Event ids sort by time: `<epoch ms>_<id>`; a reconnecting client sends the last it saw. */
export const eventId = (at: Date | string, id: string) => `${new Date(at).getTime()}_${id}`;

/** Where a reconnecting client left off: the moment and the id of the last event it saw. */
export interface LivePosition {
  at: Date;
  id: string;
}

/** Parses `<epoch ms>_<uuid>`; undefined for anything else (then nothing is replayed). */
export function parseEventId(value: string | undefined): LivePosition | undefined {
  const match = value?.match(/^(\d{1,15})_([0-9a-f-]{36})$/i);
  if (!match) return undefined;
  return { at: new Date(Number(match[1])), id: (match[2] as string).toLowerCase() };
}

/** Whether an event id comes after a position (same millisecond: by id). */
export function isAfter(id: string, since: LivePosition): boolean {
  const [ms = '0', rest = ''] = id.split('_');
  const t = since.at.getTime();
  return Number(ms) > t || (Number(ms) === t && rest > since.id);
}

/** Orders event ids by time, then id. */
export function compareEventIds(a: string, b: string): number {
  const [am = '0', ar = ''] = a.split('_');
  const [bm = '0', br = ''] = b.split('_');
  return Number(am) - Number(bm) || (ar < br ? -1 : ar > br ? 1 : 0);
}

/**
 * A module's live events, rebuilt from its own tables for a client that
 * reconnects: what this user missed after `since`, oldest first. Modules
 * rebuild from their record of truth, so there is no separate event log to
 * keep in step with it.
 */
export type LiveReplay = (platform: Platform, userId: string, since: LivePosition) => Promise<LiveEvent[]>;

/** What a module declares about its live events (AppModule.live). */
export interface LiveDeclaration {
  types: readonly LiveEventType[];
  replay?: LiveReplay;
}
