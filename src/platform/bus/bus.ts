import { connect, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Database } from '../db/database.ts';
import type { ReadinessCheck } from '../readiness.ts';
import { createDeadLetters, type DeadLetters } from './dead-letters.ts';
import type { EventType } from './events.ts';
import { createBusMetrics } from './metrics.ts';
import { createNatsTransport } from './nats-transport.ts';
import { createPostgresTransport } from './postgres-transport.ts';
import { type BusTuning, DEFAULT_TUNING, type Transport } from './transport.ts';
import {
  type BatchHandler,
  DEFAULT_RETRY,
  type EventHandler,
  type RetryPolicy,
  type Subscription,
} from './types.ts';

export interface Bus {
  readonly transport: 'postgres' | 'nats';
  /**
   * Registers a consumer group (named after its module). Every group gets
   * every event of the listed types published after it first started, at least
   * once; the handler's writes and the processed mark commit together.
   */
  consume<T extends EventType>(
    group: string,
    types: T[],
    handler: EventHandler<T>,
    retry?: Partial<RetryPolicy>,
    options?: { batch?: BatchHandler<T> },
  ): void;
  /** Runs the relay and the registered groups in this process; returns the graceful stop. */
  start(): Promise<() => Promise<void>>;
  deadLetters: DeadLetters;
  readiness: ReadinessCheck[];
  close(): Promise<void>;
}

export interface BusOptions {
  database: Database;
  databaseUrl: string;
  registry: Registry;
  log: Logger;
  natsUrl?: string;
  natsStream: string;
  /** Stream replicas in a JetStream cluster (default 1). */
  natsStreamReplicas?: number;
  ackWaitMs: number;
  tuning?: Partial<BusTuning>;
}

const GROUP_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export async function createBus(options: BusOptions): Promise<Bus> {
  const { database, log } = options;
  const metrics = createBusMetrics(options.registry, database);
  const tuning = { ...DEFAULT_TUNING, ...options.tuning };
  const deps = { database, databaseUrl: options.databaseUrl, metrics, log, tuning };
  let nc: NatsConnection | undefined;
  let transport: Transport;
  if (options.natsUrl) {
    // A cluster's seed servers, comma-separated; the client learns the rest from the cluster.
    const servers = options.natsUrl.split(',').map((url) => url.trim());
    nc = await connect({ servers, name: 'one2one-love', maxReconnectAttempts: -1 });
    transport = createNatsTransport(deps, {
      connection: nc,
      stream: options.natsStream,
      replicas: options.natsStreamReplicas ?? 1,
      ackWaitMs: options.ackWaitMs,
    });
  } else {
    transport = createPostgresTransport(deps);
  }
  const subscriptions: Subscription[] = [];
  const readiness: ReadinessCheck[] = [];
  if (nc) {
    const connection = nc;
    readiness.push({
      name: 'nats',
      async check() {
        if (connection.isClosed()) throw new Error('NATS connection is closed');
        await connection.flush();
      },
    });
  }
  let started = false;

  return {
    transport: transport.kind,
    consume(group, types, handler, retry, options) {
      if (!GROUP_NAME.test(group)) throw new Error(`consumer group "${group}" must match ${GROUP_NAME}`);
      if (subscriptions.some((s) => s.group === group))
        throw new Error(`consumer group "${group}" is registered twice`);
      if (types.length === 0) throw new Error(`consumer group "${group}" lists no event types`);
      if (started) throw new Error('register consumers before the bus starts');
      const policy = { ...DEFAULT_RETRY, ...retry };
      if (policy.maxAttempts < 1) throw new Error('maxAttempts must be at least 1');
      subscriptions.push({
        group,
        types,
        handler: handler as unknown as EventHandler,
        ...(options?.batch ? { batch: options.batch as unknown as BatchHandler } : {}),
        retry: policy,
      });
    },
    async start() {
      started = true;
      await transport.start(subscriptions);
      log.info({ transport: transport.kind, groups: subscriptions.map((s) => s.group) }, 'event bus started');
      return () => transport.stop();
    },
    deadLetters: createDeadLetters(database, () => transport),
    readiness,
    async close() {
      await transport.close();
      await nc?.drain().catch(() => {});
    },
  };
}
