import type { Transaction } from 'kysely';
import type { EventMap } from '../../platform/bus/events.ts';
import { type OutboxEvent, outboxEvent, publishAll } from '../../platform/bus/publish.ts';
import type { Channel, DeliveryStatus, NotificationsDb } from './tables.ts';

/**
 * Kinds whose per-channel outcomes are published, so the module they came
 * from can show them (love notes: "pushed to the phone, emailed"). Every
 * other kind keeps its outcomes to itself: publishing all of them would
 * multiply the bus traffic of every notification for no reader.
 */
const TRACKED_KINDS = new Set(['love-note.received']);

export interface OutcomeOf {
  user_id: string;
  id: string;
  notification_id: string;
  channel: Channel;
  kind: string;
  data: unknown;
}

/** One delivery's new status, as a transaction set it. */
export interface OutcomeChange {
  delivery: OutcomeOf;
  status: DeliveryStatus;
  reason?: string | null;
  at: Date;
}

/**
 * Publishes a delivery row's new status (`notification.deliveries-updated`),
 * in the transaction that set it (outbox), so the outcome is announced if
 * and only if it was recorded.
 */
export async function publishOutcome(
  trx: Transaction<NotificationsDb>,
  delivery: OutcomeOf,
  change: { status: DeliveryStatus; reason?: string | null; at: Date },
): Promise<void> {
  await publishAll(trx, outcomeEvents([{ delivery, ...change }]));
}

/**
 * The `notification.deliveries-updated` events of a transaction's outcomes:
 * one per notification (and time), carrying all of its deliveries, so intake's
 * five planned channels of a love note are one outbox row and one bus
 * delivery instead of five. Kinds whose outcomes are not published give none.
 */
export function outcomeEvents(changes: OutcomeChange[]): OutboxEvent<'notification.deliveries-updated'>[] {
  const byNotification = new Map<string, EventMap['notification.deliveries-updated']>();
  for (const { delivery, status, reason, at } of changes) {
    if (!TRACKED_KINDS.has(delivery.kind)) continue;
    const when = at.toISOString();
    const key = `${delivery.notification_id}/${when}`;
    let event = byNotification.get(key);
    if (!event) {
      event = {
        notificationId: delivery.notification_id,
        userId: delivery.user_id,
        kind: delivery.kind,
        at: when,
        data: (delivery.data ?? {}) as Record<string, string>,
        deliveries: [],
      };
      byNotification.set(key, event);
    }
    event.deliveries.push({
      deliveryId: delivery.id,
      channel: delivery.channel,
      status,
      reason: reason ?? null,
    });
  }
  return [...byNotification.values()].map((data) =>
    outboxEvent('notification.deliveries-updated', data, { actorId: null }),
  );
}
