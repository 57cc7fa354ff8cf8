import { sql } from 'kysely';
import { withCommitHooks } from './after-commit.ts';
import { dispatchBatch } from './dispatch.ts';
import { PgListener } from './listener.ts';
import { envelopeFromRow, type OutboxEventRow, RELAY_BATCH, traceFromRow } from './outbox.ts';
import { loop, relayStep, sleep, type Transport, type TransportDeps } from './transport.ts';
import type { Subscription } from './types.ts';
import { Wakeup } from './wakeup.ts';

/** How often a running process marks its subscriptions as still wanted (see `subscribe`). */
export const SUBSCRIPTION_REFRESH_MS = 60 * 60 * 1000;

interface DeliveryRow extends OutboxEventRow {
  delivery_id: number;
  attempts: number;
}

/**
 * The PostgreSQL transport: the relay fans each outbox row out into one
 * delivery row per subscribed group (in one statement, with the outbox rows
 * claimed by `for update skip locked`), and each group's loops claim their
 * due deliveries the same way, so any number of worker processes share the
 * work without coordinating. LISTEN/NOTIFY wakes them at commit time, a
 * timer wakes a group when a retry it scheduled falls due, and one poll per
 * process (every `idlePollMs`, one statement for all groups) is the net under
 * both: it wakes the groups that have due deliveries and sets a timer for the
 * next one of each, so a lost notification or another process's retry costs
 * latency, never the event. An idle worker runs no other bus statement.
 */
export function createPostgresTransport(deps: TransportDeps): Transport {
  const { database, log, metrics, tuning } = deps;
  const { db } = database;
  const onHookError = (error: unknown) => log.warn({ err: error }, 'bus: after-commit work failed');
  let stopping = false;
  let running: Promise<void>[] = [];
  let listener: PgListener | undefined;
  let relayWakeup = new Wakeup();
  let pollWakeup = new Wakeup();
  const groupWakeups = new Map<string, Wakeup>();
  let subscribedAt = 0;

  /** Wakes each group with a due delivery, and sets each group's timer for its next one. */
  async function pollGroups(): Promise<void> {
    const groups = [...groupWakeups.keys()];
    if (groups.length === 0) return;
    const { rows } = await sql<{ group_name: string; wait_ms: number | null }>`
      select g.name as group_name,
        (select extract(epoch from min(d.run_at) - now()) * 1000 from bus_deliveries d
         where d.group_name = g.name)::float8 as wait_ms
      from unnest(${groups}::text[]) as g(name)`.execute(db);
    for (const row of rows) {
      if (row.wait_ms === null) continue;
      const wakeup = groupWakeups.get(row.group_name);
      if (row.wait_ms <= 0) wakeup?.wake();
      else wakeup?.wakeIn(row.wait_ms + 5);
    }
  }

  async function relayOnce(): Promise<number> {
    const { rows } = await sql<{ relayed: number; oldest: number | null }>`
      with claimed as (
        select position, type, occurred_at from outbox_events
        where relayed_at is null order by position limit ${RELAY_BATCH}
        for update skip locked
      ), fanned as (
        insert into bus_deliveries (group_name, position)
        select s.group_name, c.position from claimed c join bus_subscriptions s on s.event_type = c.type
        returning group_name
      ), settings as (
        -- See consumeOnce: a lost relay commit loses its deliveries with it, so it is relayed again.
        select set_config('synchronous_commit', 'off', true) as value
      ), relayed as (
        update outbox_events o set relayed_at = now() from claimed c where o.position = c.position
        returning c.occurred_at
      )
      select
        (select count(*) from relayed)::int as relayed,
        (select extract(epoch from now() - min(occurred_at)) from relayed)::float8 as oldest,
        (select count(pg_notify('o2o_bus', g.group_name)) from (select distinct group_name from fanned) g)::int
          as notified,
        (select value from settings) as synchronous_commit`.execute(db);
    const result = rows[0] ?? { relayed: 0, oldest: null };
    metrics.relayed(result.relayed, result.oldest);
    return result.relayed;
  }

  async function consumeOnce(subscription: Subscription, wakeup: Wakeup): Promise<number> {
    let firstRetryMs: number | undefined;
    // Handlers' after-commit work (cache invalidations) runs before the next batch is taken.
    const taken = await withCommitHooks(
      db,
      async (trx) => {
        // synchronous_commit off: if the server crashes before this commit reaches
        // disk, the handler's writes and the delivery's removal are lost together and
        // the event is simply delivered again. Waiting for the disk would cap consumers
        // at its fsync rate instead.
        // Only the types this process handles: in a rolling deploy the group's processes of the
        // other version take the types this one does not know (or no longer handles).
        // One statement claims the batch and takes its rows out of the queue. The row's delete,
        // committed with the handlers' writes, is what keeps an event from running twice for the
        // group: nothing is marked in bus_processed (dispatch.ts, `claimed`; that table is the NATS
        // transport's). Deleted rows come back if the transaction rolls back; a retry puts its
        // row back with a later run_at.
        // The outbox columns are read in `due` (through the position's key, per claimed row); a join
        // of the CTEs' output to outbox_events could be planned as a hash join over the whole table.
        const { rows } = await sql<DeliveryRow & { position: number }>`
        with due as materialized (
          select d.id as delivery_id, d.attempts, d.position, d.run_at, o.id, o.type, o.version, o.occurred_at, o.actor_id,
                 o.couple_id, o.data, o.trace_context
          from bus_deliveries d join outbox_events o on o.position = d.position
          where d.group_name = ${subscription.group} and d.run_at <= now()
            and o.type = any(${subscription.types}::text[])
          order by d.run_at, d.id limit ${tuning.batchSize}
          for update of d skip locked
        ), taken as (
          delete from bus_deliveries where id = any(array(select delivery_id from due))
        )
        select set_config('synchronous_commit', 'off', true), due.*
        from due order by due.run_at, due.delivery_id`.execute(trx);
        if (rows.length === 0) return 0;
        const outcomes = await dispatchBatch(
          trx,
          subscription,
          rows.map((row) => ({
            event: envelopeFromRow(row),
            previousAttempts: row.attempts,
            trace: traceFromRow(row),
          })),
          'claimed',
        );
        const retries = {
          positions: [] as number[],
          attempts: [] as number[],
          delays: [] as number[],
          errors: [] as string[],
        };
        outcomes.forEach((outcome, i) => {
          if (outcome.kind !== 'retry') return;
          const row = rows[i]!;
          retries.positions.push(row.position);
          retries.attempts.push(row.attempts + 1);
          retries.delays.push(outcome.delayMs);
          retries.errors.push(outcome.error);
        });
        if (retries.positions.length > 0) {
          await sql`
          insert into bus_deliveries (group_name, position, attempts, run_at, last_error)
          select ${subscription.group}, u.position, u.attempts, now() + u.delay * interval '1 millisecond', u.error
          from unnest(${retries.positions}::bigint[], ${retries.attempts}::int[], ${retries.delays}::int[],
                      ${retries.errors}::text[]) as u(position, attempts, delay, error)`.execute(trx);
          firstRetryMs = Math.min(...retries.delays);
        }
        metrics.record(subscription.group, outcomes);
        return rows.length;
      },
      onHookError,
    );
    // This process looks again when the first retry falls due (the poll covers a crash). Set
    // after the commit: a timer that fired before it would find the row still locked and be spent.
    if (firstRetryMs !== undefined) wakeup.wakeIn(firstRetryMs + 5);
    return taken;
  }

  /**
   * Adds this process's (group, type) rows and marks them as seen now. Never
   * removes a row: in a rolling deploy the other version's processes share the
   * group and subscribe types this one does not know, and deleting their rows
   * made the relay fan those events out to nobody. Rows no process has
   * refreshed for `subscriptionDays` (7) go in the hourly prune (prune.ts).
   */
  async function subscribe(subscriptions: Subscription[]): Promise<void> {
    await sql`
      insert into bus_subscriptions (group_name, event_type)
      select s.group_name, s.event_type
      from unnest(${subscriptions.flatMap((s) => s.types.map(() => s.group))}::text[],
                  ${subscriptions.flatMap((s) => s.types)}::text[]) as s(group_name, event_type)
      on conflict (group_name, event_type) do update set updated_at = now()`.execute(db);
    subscribedAt = Date.now();
  }

  return {
    kind: 'postgres',
    async start(subscriptions) {
      stopping = false;
      relayWakeup = new Wakeup();
      pollWakeup = new Wakeup();
      await subscribe(subscriptions);
      listener = new PgListener(deps.databaseUrl, (error) => log.warn({ err: error }, 'bus listener failed'));
      listener.on('o2o_outbox', () => relayWakeup.wake());
      listener.on('o2o_bus', (group) => groupWakeups.get(group)?.wake());
      // Notifications sent while the listener was down are lost: look now.
      listener.onConnect(() => {
        relayWakeup.wake();
        pollWakeup.wake();
      });
      for (const subscription of subscriptions) groupWakeups.set(subscription.group, new Wakeup());
      await listener.start();
      const stopped = () => stopping;
      running.push(
        loop(
          'relay',
          log,
          stopped,
          relayStep(relayOnce, () => relayWakeup, tuning, RELAY_BATCH),
        ),
      );
      running.push(
        loop('poll', log, stopped, async () => {
          // A process running for days keeps its rows fresh, so the prune never takes them.
          if (Date.now() - subscribedAt > SUBSCRIPTION_REFRESH_MS) await subscribe(subscriptions);
          await pollGroups();
          await pollWakeup.wait(tuning.idlePollMs);
        }),
      );
      for (const subscription of subscriptions) {
        const wakeup = groupWakeups.get(subscription.group)!;
        for (let i = 0; i < tuning.concurrency; i++) {
          // The first pass claims at once (work left by a stopped process); later ones after a wake-up.
          let more = true;
          running.push(
            loop(`consumer:${subscription.group}`, log, stopped, async () => {
              if (!more) {
                // Idle until a NOTIFY (one sent while this loop was busy returns at once), a retry's
                // timer or the poll; then a moment more, so the batch holds what arrives meanwhile.
                await wakeup.wait();
                await sleep(tuning.gatherMs);
              }
              const taken = await consumeOnce(subscription, wakeup);
              // A full batch means more is waiting: take the next at once, and let a sibling loop know.
              more = taken === tuning.batchSize;
              if (more) wakeup.wake();
            }),
          );
        }
      }
    },
    async stop() {
      stopping = true;
      relayWakeup.close();
      pollWakeup.close();
      for (const wakeup of groupWakeups.values()) wakeup.close();
      // Loops finish the batch in hand (its transaction commits) and then return.
      await Promise.all(running);
      running = [];
      groupWakeups.clear();
      await listener?.close();
      listener = undefined;
    },
    async replay(trx, group, event) {
      const { rows } = await sql<{ n: number }>`
        with inserted as (
          insert into bus_deliveries (group_name, position)
          select ${group}, position from outbox_events where id = ${event.id}
          returning 1
        ) select count(*)::int as n from inserted`.execute(trx);
      if (rows[0]?.n !== 1) return false;
      await sql`select pg_notify('o2o_bus', ${group})`.execute(trx);
      return true;
    },
    async close() {
      await this.stop();
    },
  };
}
