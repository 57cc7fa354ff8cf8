import { sql } from 'kysely';
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  headers,
  type JsMsg,
  type NatsConnection,
  nanos,
  RetentionPolicy,
  StorageType,
} from 'nats';
import { newId } from '../ids.ts';
import type { TraceCarrier } from '../observability/tracing.ts';
import { withCommitHooks } from './after-commit.ts';
import { dispatchBatch } from './dispatch.ts';
import type { EventEnvelope } from './events.ts';
import { PgListener } from './listener.ts';
import { envelopeFromRow, type OutboxEventRow, RELAY_BATCH, traceFromRow } from './outbox.ts';
import { loop, relayStep, sleep, type Transport, type TransportDeps } from './transport.ts';
import type { Delivery, Subscription } from './types.ts';
import { Wakeup } from './wakeup.ts';

export interface NatsOptions {
  connection: NatsConnection;
  /** JetStream stream name; its subjects are `<stream>.<event type>`. */
  stream: string;
  /** How long a delivered, unacknowledged message waits before redelivery (a crashed worker's). */
  ackWaitMs: number;
  /** Copies of the stream in a JetStream cluster: 3 keeps every accepted event through a node's loss. */
  replicas: number;
}

const DAY_MS = 24 * 60 * 60_000;
/**
 * Stream and consumer set-up at start: in a cluster it waits for the placement of
 * replicated assets, which on a busy node outlasts the client's 5 s default
 * (the process then failed to start with TIMEOUT).
 */
const ADMIN_TIMEOUT_MS = 20_000;

/**
 * The NATS JetStream transport: a relay moves outbox rows to the stream
 * (event id as Nats-Msg-Id, so a relay that dies between publishing and
 * marking the rows is de-duplicated by the server), and each group reads
 * through one durable pull consumer with explicit acks. The handler still
 * runs in a PostgreSQL transaction that records the event id as processed,
 * so a redelivery after a crash between commit and ack changes nothing.
 */
export function createNatsTransport(deps: TransportDeps, options: NatsOptions): Transport {
  const { database, log, metrics, tuning } = deps;
  const { connection: nc, stream, ackWaitMs, replicas } = options;
  const js = nc.jetstream();
  const replaySubject = (group: string) => `${stream}._replay.${group}`;
  let stopping = false;
  let running: Promise<void>[] = [];
  let feeds: ConsumerMessages[] = [];
  let buffers: JsMsg[][] = [];
  let keepAlives: NodeJS.Timeout[] = [];
  let listener: PgListener | undefined;
  let relayWakeup = new Wakeup();

  async function ensureStream(): Promise<void> {
    const jsm = await nc.jetstreamManager({ timeout: ADMIN_TIMEOUT_MS });
    const config = {
      name: stream,
      subjects: [`${stream}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(7 * DAY_MS),
      duplicate_window: nanos(10 * 60_000),
      num_replicas: replicas,
    };
    try {
      await jsm.streams.info(stream);
      await jsm.streams.update(stream, config);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.streams.add(config);
    }
  }

  async function ensureConsumer(subscription: Subscription): Promise<void> {
    const jsm = await nc.jetstreamManager({ timeout: ADMIN_TIMEOUT_MS });
    // No max_deliver: past it the server drops a message without a trace. Dispatch
    // dead-letters an event whose attempts are used up instead, so nothing accepted is
    // lost. (The server allows no backoff list without a max_deliver, so a crashed
    // worker's messages come back after ack_wait each time.)
    const config: Partial<ConsumerConfig> = {
      durable_name: subscription.group,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${stream}.>`,
      ack_wait: nanos(ackWaitMs),
      max_deliver: -1,
      max_ack_pending: 1000,
    };
    try {
      await jsm.consumers.info(stream, subscription.group);
      await jsm.consumers.update(stream, subscription.group, {
        ack_wait: config.ack_wait,
        backoff: [],
        max_deliver: config.max_deliver,
        max_ack_pending: config.max_ack_pending,
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.consumers.add(stream, config);
    }
  }

  async function relayOnce(): Promise<number> {
    return database.db.transaction().execute(async (trx) => {
      // A relay commit lost to a server crash only means the rows are published
      // again, and JetStream drops the copies by Nats-Msg-Id: no need to wait for the disk.
      await sql`select set_config('synchronous_commit', 'off', true)`.execute(trx);
      const { rows } = await sql<OutboxEventRow & { position: number }>`
        select position, id, type, version, occurred_at, actor_id, couple_id, data, trace_context from outbox_events
        where relayed_at is null order by position limit ${RELAY_BATCH}
        for update skip locked`.execute(trx);
      if (rows.length === 0) return 0;
      const events = rows.map(envelopeFromRow);
      await Promise.all(
        events.map((event, i) =>
          js.publish(`${stream}.${event.type}`, JSON.stringify(event), {
            msgID: event.id,
            headers: traceHeaders(traceFromRow(rows[i]!)),
          }),
        ),
      );
      const positions = rows.map((row) => row.position);
      await sql`update outbox_events set relayed_at = now() where position = any(${positions}::bigint[])`.execute(
        trx,
      );
      const oldest = Math.min(...events.map((event) => Date.parse(event.occurredAt)));
      metrics.relayed(rows.length, (Date.now() - oldest) / 1000);
      return rows.length;
    });
  }

  /** Whether a message is for this group: a type it subscribes to, or a replay addressed to it. */
  function wants(subscription: Subscription, msg: JsMsg, event: EventEnvelope): boolean {
    if (msg.subject.startsWith(`${stream}._replay.`))
      return msg.subject === replaySubject(subscription.group);
    return subscription.types.includes(event.type);
  }

  /**
   * Runs the batch in one transaction. When the database fails (not a handler), a nak
   * would count as a delivery attempt and an outage would use attempts up: the batch
   * stays in hand (the keep-alive holds its ack deadline) and is tried again until the
   * database answers; only on shutdown is it handed back.
   */
  async function dispatchUntilStored(
    subscription: Subscription,
    deliveries: Delivery[],
    handBack: () => void,
  ) {
    for (let failures = 0; ; failures++) {
      try {
        // Handlers' after-commit work (cache invalidations) runs before the batch is acknowledged.
        return await withCommitHooks(
          database.db,
          (trx) => dispatchBatch(trx, subscription, deliveries),
          (error) => log.warn({ err: error, group: subscription.group }, 'bus: after-commit work failed'),
        );
      } catch (error) {
        if (stopping) {
          handBack();
          throw error;
        }
        log.warn(
          { err: error, group: subscription.group, failures },
          'bus: database unavailable, retrying batch',
        );
        await sleep(Math.min(10_000, 250 * 2 ** failures));
      }
    }
  }

  async function processBatch(subscription: Subscription, msgs: JsMsg[]): Promise<void> {
    const mine: Array<{ msg: JsMsg; delivery: Delivery }> = [];
    for (const msg of msgs) {
      let event: EventEnvelope;
      try {
        event = msg.json<EventEnvelope>();
      } catch {
        msg.term('not an event envelope');
        continue;
      }
      if (!wants(subscription, msg, event)) msg.ack();
      else
        mine.push({
          msg,
          delivery: { event, previousAttempts: msg.info.deliveryCount - 1, trace: traceOf(msg) },
        });
    }
    if (mine.length === 0) return;
    const outcomes = await dispatchUntilStored(
      subscription,
      mine.map((m) => m.delivery),
      () => {
        for (const { msg } of mine) msg.nak();
      },
    );
    outcomes.forEach((outcome, i) => {
      const { msg } = mine[i]!;
      if (outcome.kind === 'retry') msg.nak(outcome.delayMs);
      else if (outcome.kind === 'dead') msg.term('dead-lettered');
      else msg.ack();
    });
    metrics.record(subscription.group, outcomes);
  }

  async function startConsumer(subscription: Subscription): Promise<void> {
    const consumer = await js.consumers.get(stream, subscription.group);
    const feed = await consumer.consume({ max_messages: tuning.batchSize * tuning.concurrency * 2 });
    feeds.push(feed);
    const buffer: JsMsg[] = [];
    buffers.push(buffer);
    const inHand = new Set<JsMsg>();
    const wakeup = new Wakeup();
    const stopped = () => stopping;
    // Messages waiting in the buffer or in a running batch are in hand: keep
    // their ack deadline from expiring, or a slow moment would redeliver them
    // and the extra delivery would count as a failed attempt.
    const keepAlive = setInterval(
      () => {
        for (const msg of buffer) msg.working();
        for (const msg of inHand) msg.working();
      },
      Math.max(50, Math.floor(ackWaitMs / 3)),
    );
    keepAlives.push(keepAlive);
    running.push(
      (async () => {
        for await (const msg of feed) {
          if (stopping) msg.nak();
          else buffer.push(msg);
          wakeup.wake();
        }
      })().catch((error: unknown) => {
        // The consumer vanished or the connection closed for good: say so loudly;
        // the messages stay in JetStream for the next start.
        if (!stopping) log.error({ err: error, group: subscription.group }, 'NATS consumer feed ended');
      }),
    );
    for (let i = 0; i < tuning.concurrency; i++) {
      running.push(
        loop(`consumer:${subscription.group}`, log, stopped, async () => {
          if (buffer.length === 0) return wakeup.wait(tuning.pollMs);
          // A commit per batch must reach the disk before the acks, so let batches fill up a little.
          if (buffer.length < tuning.batchSize) await sleep(tuning.lingerMs);
          const batch = buffer.splice(0, tuning.batchSize);
          if (batch.length === 0) return;
          if (buffer.length > 0) wakeup.wake();
          for (const msg of batch) inHand.add(msg);
          try {
            await processBatch(subscription, batch);
          } finally {
            for (const msg of batch) inHand.delete(msg);
          }
        }),
      );
    }
  }

  return {
    kind: 'nats',
    async start(subscriptions) {
      stopping = false;
      relayWakeup = new Wakeup();
      await whileClusterSettles(log, async () => {
        await ensureStream();
        for (const subscription of subscriptions) await ensureConsumer(subscription);
      });
      listener = new PgListener(deps.databaseUrl, (error) => log.warn({ err: error }, 'bus listener failed'));
      listener.on('o2o_outbox', () => relayWakeup.wake());
      listener.onConnect(() => relayWakeup.wake());
      await listener.start();
      running.push(
        loop(
          'relay',
          log,
          () => stopping,
          relayStep(relayOnce, () => relayWakeup, tuning, RELAY_BATCH),
        ),
      );
      for (const subscription of subscriptions) await startConsumer(subscription);
    },
    async stop() {
      stopping = true;
      relayWakeup.close();
      for (const feed of feeds) feed.stop();
      await Promise.all(running);
      for (const timer of keepAlives) clearInterval(timer);
      keepAlives = [];
      // Hand back what was fetched but not started, so another worker takes it now.
      for (const buffer of buffers) for (const msg of buffer.splice(0)) msg.nak();
      running = [];
      feeds = [];
      buffers = [];
      await listener?.close();
      listener = undefined;
    },
    async replay(_trx, group, event) {
      // Addressed to one group so the others (which processed it) are not bothered.
      await js.publish(replaySubject(group), JSON.stringify(event.raw), { msgID: `replay-${newId()}` });
      return true;
    },
    async close() {
      await this.stop();
    },
  };
}

/** The event's trace context travels as W3C headers on the message (none when tracing is off). */
function traceHeaders(trace: TraceCarrier | null) {
  if (!trace) return undefined;
  const h = headers();
  for (const [name, value] of Object.entries(trace)) h.set(name, value);
  return h;
}

function traceOf(msg: JsMsg): TraceCarrier | null {
  const traceparent = msg.headers?.get('traceparent');
  if (!traceparent) return null;
  const tracestate = msg.headers?.get('tracestate');
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/**
 * Runs the stream and consumer set-up again when a JetStream API request timed out. A
 * cluster that has just started (or lost its meta leader) leaves requests unanswered until
 * it has elected one: the topology test saw a worker fail to start with TIMEOUT now and
 * then, and pass on the next run. Each step is idempotent (info, then update or add).
 */
async function whileClusterSettles(log: TransportDeps['log'], setUp: () => Promise<void>): Promise<void> {
  const ATTEMPTS = 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await setUp();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isTimeout(error)) throw error;
      log.warn({ err: error, attempt }, 'JetStream set-up timed out; trying again');
      await sleep(1000);
    }
  }
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'TIMEOUT' || (error instanceof Error && error.message === 'TIMEOUT');
}

function isNotFound(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /not found/i.test(message);
}
