import type { Transaction } from 'kysely';
import { afterCommit } from '../../platform/bus/after-commit.ts';
import type { EventEnvelope, EventMap, EventType } from '../../platform/bus/events.ts';
import type { HandlerTransaction } from '../../platform/bus/types.ts';
import { schedule } from '../../platform/jobs/schedule.ts';
import type { Platform } from '../../platform/platform.ts';
import { hubFor } from '../../platform/realtime/live-hub.ts';
import { forgetInboxes } from './cache.ts';
import type { DeliveryQueue, NotificationsContext } from './context.ts';
import { attemptDeliveries, attemptDelivery } from './delivery.ts';
import { sendDigests } from './digest.ts';
import { notifyFromEvent, notifyFromEvents } from './intake.ts';
import { liveNotification } from './live.ts';
import { eraseUser } from './repo.ts';
import type { NotificationsDb } from './tables.ts';

/** Delivery attempts are graphile-worker jobs, added in the transaction that creates or retries them. */
export const jobsQueue: DeliveryQueue = {
  enqueue: (trx, delivery, runAt) =>
    schedule(
      trx,
      {
        name: 'notifications.deliver',
        payload: delivery,
        // Addressable: a retry replaces the pending job instead of adding a second.
        key: `notification-delivery:${delivery.deliveryId}`,
        // Our own retries are rescheduled jobs; the runner's only cover a crashed attempt.
        maxAttempts: 3,
      },
      runAt,
    ),
};

/** Events that create notifications (see catalog.ts), plus erasure and our own notification.created. */
export const CONSUMED = [
  'love-note.delivered',
  'love-note.read',
  'love-note.reacted',
  'couple.linked',
  'couple.unlinked',
  'calendar.reminder-due',
  'questions.answered',
  'user.password-changed',
  'user.mfa-enabled',
  'auth.refresh-reuse-detected',
  'payment.invoice-issued',
  'user.deleted',
  'notification.created',
] as const satisfies readonly EventType[];

type Consumed = (typeof CONSUMED)[number];

/** Events that name deliveries due now: the `notifications-delivery` group's. */
export const DUE_CARRIERS = ['notification.created', 'notification.deliveries-due'] as const;
type DueCarrier = (typeof DUE_CARRIERS)[number];

/** The due deliveries an event names (none for a notification.created written before it carried them). */
export function dueKeys({
  type,
  data,
}: EventEnvelope<DueCarrier>): Array<{ userId: string; deliveryId: string }> {
  const ids =
    type === 'notification.created'
      ? ((data as EventMap['notification.created']).dueDeliveryIds ?? [])
      : (data as EventMap['notification.deliveries-due']).deliveryIds;
  return ids.map((deliveryId) => ({ userId: data.userId, deliveryId }));
}

/**
 * The notification is committed (the event exists only then): tell the person's open
 * connections, in whichever API process holds them. A redelivery repeats the same id,
 * which the connection drops as a duplicate.
 */
function pushLive(platform: Platform, data: EventMap['notification.created']): void {
  hubFor(platform).push(
    data.userId,
    liveNotification({
      id: data.notificationId,
      kind: data.kind,
      category: data.category,
      title: data.title,
      body: data.body,
      data: data.data,
    }),
  );
}

export async function startNotificationsWorker(
  platform: Platform,
  ctx: NotificationsContext,
): Promise<() => Promise<void>> {
  /**
   * Pushes committed notifications live. Intake invalidated the cached lists after its commit
   * already; invalidating again first (one call for the batch) makes sure a client that
   * refetches on the live event never meets an entry older than the item, however the two
   * paths interleave.
   */
  const announce = async (created: Array<EventMap['notification.created']>) => {
    if (created.length === 0) return;
    await forgetInboxes(
      ctx.responseCache,
      created.map((data) => data.userId),
    );
    for (const data of created) pushLive(platform, data);
  };
  const handle = async (event: EventEnvelope<Consumed>, trx: HandlerTransaction) => {
    if (event.type === 'notification.created') {
      await announce([event.data as EventMap['notification.created']]);
      return;
    }
    if (event.type === 'user.deleted') {
      const { userId } = event.data as { userId: string };
      await eraseUser(trx, { userId });
      afterCommit(trx, () => forgetInboxes(ctx.responseCache, [userId]));
      return;
    }
    await notifyFromEvent(ctx, trx, event);
  };
  platform.bus.consume('notifications', [...CONSUMED], handle, undefined, {
    // Under load a batch is mostly love notes delivered and their notification.created: each run
    // of events that create notifications goes through intake at once (a few statements per run,
    // not per event); an erasure between them keeps its place in the order.
    batch: async (events, trx) => {
      let run: EventEnvelope<Consumed>[] = [];
      const created: Array<EventMap['notification.created']> = [];
      const flush = async () => {
        if (run.length > 0) await notifyFromEvents(ctx, trx as Transaction<NotificationsDb>, run);
        run = [];
      };
      for (const event of events) {
        if (event.type === 'notification.created') {
          created.push(event.data as EventMap['notification.created']);
        } else if (event.type === 'user.deleted') {
          await flush();
          await handle(event, trx);
        } else run.push(event);
      }
      await flush();
      await announce(created);
    },
  });
  // First attempts of deliveries due now, a batch per transaction: the bus delivery is the
  // queue (its retry covers a failed transaction; a provider's transient failure reschedules
  // as a job, as any later attempt). Its own group, so slow providers never hold up intake.
  // The ids come with notification.created (or alone, for an item kept out of the inbox).
  const deliverDue = (events: EventEnvelope<DueCarrier>[], trx: HandlerTransaction) =>
    attemptDeliveries(ctx, trx as Transaction<NotificationsDb>, events.flatMap(dueKeys));
  platform.bus.consume(
    'notifications-delivery',
    [...DUE_CARRIERS],
    (event, trx) => deliverDue([event], trx),
    undefined,
    { batch: deliverDue },
  );
  platform.jobs.define('notifications.deliver', (payload) => attemptDelivery(ctx, payload));
  platform.jobs.define('notifications.digest', async () => {
    await sendDigests(ctx);
  });
  platform.jobs.recurring({ name: 'notifications.digest', cron: '0 * * * *', payload: {} });
  // The bus and the job runner stop them; nothing of our own to release.
  return async () => {};
}
