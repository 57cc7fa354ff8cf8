import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { BusMetrics } from './metrics.ts';
import type { HandlerTransaction, Subscription } from './types.ts';
import type { Wakeup } from './wakeup.ts';

/** What the two transports share; the contract test suite runs against both. */
export interface Transport {
  readonly kind: 'postgres' | 'nats';
  /** Starts the relay and a consumer loop per subscription; resolves once they run. */
  start(subscriptions: Subscription[]): Promise<void>;
  /** Stops taking new work and waits for what is in hand. */
  stop(): Promise<void>;
  /**
   * Hands a dead-lettered event to its group again, inside `trx` (which also
   * deletes the dead letter), so a failed replay leaves the dead letter as it was.
   */
  /** Returns false when the event can no longer be replayed (its outbox row was pruned). */
  replay(trx: HandlerTransaction, group: string, event: { id: string; raw: unknown }): Promise<boolean>;
  close(): Promise<void>;
}

export interface TransportDeps {
  database: Database;
  databaseUrl: string;
  metrics: BusMetrics;
  log: Logger;
  tuning: BusTuning;
}

export interface BusTuning {
  /** Consumer loops per group in this process. */
  concurrency: number;
  /** Events one loop takes at a time (one transaction). */
  batchSize: number;
  /** How often NATS consumer loops look at their in-process buffer when nothing woke them (no SQL). */
  pollMs: number;
  /**
   * The safety net behind the wake-ups (NOTIFY, retry timers): how often an
   * idle relay, and the PostgreSQL transport's one poll for every group, look
   * at the database anyway. Each is one statement.
   */
  idlePollMs: number;
  /**
   * After a burst, the relay looks once more this much later: a commit that
   * skipped the outbox wake-up (only one committing transaction at a time
   * sends it) and became visible after the relay's last pass is found then,
   * not at the idle poll.
   */
  stragglerMs: number;
  /** After a partial batch, wait this long before the next so batches grow under load. */
  lingerMs: number;
  /**
   * PostgreSQL transport: how long a woken consumer loop waits before it
   * claims, so its batch holds what arrives meanwhile. Every batch costs the
   * same few statements (BEGIN, the claim, a savepoint, COMMIT) and each
   * handler's own lookups; at a low rate each note paid a batch of its own in
   * every group. Adds up to this much latency per hop.
   */
  gatherMs: number;
}

export const DEFAULT_TUNING: BusTuning = {
  concurrency: 2,
  batchSize: 200,
  pollMs: 250,
  idlePollMs: 30_000,
  stragglerMs: 250,
  lingerMs: 10,
  gatherMs: 50,
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One relay step for a loop: relay, then linger while rows keep coming (so
 * batches grow under load), look once more a moment after a burst ends (a
 * commit that did not send the wake-up), and otherwise wait for a wake-up or
 * the idle poll. `relayOnce` returns the rows it relayed.
 */
export function relayStep(
  relayOnce: () => Promise<number>,
  wakeup: () => Wakeup,
  tuning: BusTuning,
  batch: number,
): () => Promise<void> {
  let busy = false;
  return async () => {
    const relayed = await relayOnce();
    if (relayed >= batch) return;
    if (relayed > 0) {
      busy = true;
      await sleep(tuning.lingerMs);
    } else if (busy) {
      busy = false;
      await wakeup().wait(tuning.stragglerMs);
    } else {
      await wakeup().wait(tuning.idlePollMs);
    }
  };
}

/** Runs `fn` until `stopped()`, logging and pausing after failures instead of dying. */
export async function loop(
  name: string,
  log: Logger,
  stopped: () => boolean,
  fn: () => Promise<void>,
): Promise<void> {
  while (!stopped()) {
    try {
      await fn();
    } catch (error) {
      if (stopped()) return;
      log.error({ err: error, loop: name }, 'bus loop failed; retrying shortly');
      await sleep(1000);
    }
  }
}
