import type { Transaction } from 'kysely';
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

/**
 * Publishes `notification.delivery-updated` for a delivery row's new status,
 * in the transaction that set it (outbox), so the outcome is announced if
 * and only if it was recorded.
 */
export async function publishOutcome(
  trx: Transaction<NotificationsDb>,
  delivery: OutcomeOf,
  change: { status: DeliveryStatus; reason?: string | null; at: Date },
): Promise<void> {
  const event = outcomeEvent(delivery, change);
  if (event) await publishAll(trx, [event]);
}

/**
 * The `notification.delivery-updated` event of one outcome, for a caller that
 * writes several events in one statement (`publishAll`); undefined for kinds
 * whose outcomes are not published.
 */
export function outcomeEvent(
  delivery: OutcomeOf,
  change: { status: DeliveryStatus; reason?: string | null; at: Date },
): OutboxEvent | undefined {
  if (!TRACKED_KINDS.has(delivery.kind)) return undefined;
  return outboxEvent(
    'notification.delivery-updated',
    {
      notificationId: delivery.notification_id,
      deliveryId: delivery.id,
      userId: delivery.user_id,
      kind: delivery.kind,
      channel: delivery.channel,
      status: change.status,
      reason: change.reason ?? null,
      at: change.at.toISOString(),
      data: (delivery.data ?? {}) as Record<string, string>,
    },
    { actorId: null },
  );
}
