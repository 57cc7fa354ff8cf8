import type { Transaction } from 'kysely';
import type { TraceCarrier } from '../observability/tracing.ts';
import type { EventEnvelope, EventType } from './events.ts';

// biome-ignore lint/suspicious/noExplicitAny: handlers narrow the transaction with their module's tables
export type HandlerTransaction = Transaction<any>;

/**
 * Runs inside the transaction that also records the event as processed for
 * the group: write side effects through `trx` and they happen exactly once.
 * Throwing rolls the handler's writes back and schedules a retry.
 */
export type EventHandler<T extends EventType = EventType> = (
  event: EventEnvelope<T>,
  trx: HandlerTransaction,
) => Promise<void>;

/**
 * Optional: handles every runnable event of a batch at once (fewer statements
 * under load), with the same effect as running the group's handler on each in
 * order. If it throws, its writes are rolled back and the events are run one
 * by one through the handler, each under its own savepoint, so only the
 * failing event is retried.
 */
export type BatchHandler<T extends EventType = EventType> = (
  events: EventEnvelope<T>[],
  trx: HandlerTransaction,
) => Promise<void>;

export interface RetryPolicy {
  /** Attempts before the event goes to the dead letters (the first delivery counts). */
  maxAttempts: number;
  /** First retry delay; each further retry doubles it, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 5 * 60_000 };

export interface Subscription {
  group: string;
  types: EventType[];
  handler: EventHandler;
  batch?: BatchHandler;
  retry: RetryPolicy;
}

/** One event handed to a group, with how many times it was attempted before. */
export interface Delivery {
  event: EventEnvelope;
  previousAttempts: number;
  /** Trace context of the publisher: the handler's span continues its trace. */
  trace?: TraceCarrier | null;
}

export type Outcome =
  | { kind: 'done' }
  | { kind: 'skipped' }
  | { kind: 'retry'; delayMs: number; error: string }
  | { kind: 'dead'; error: string };
