import type { Transaction } from 'kysely';
import { type OutboxEvent, outboxEvent, publishAll } from '../../platform/bus/publish.ts';
import { newId } from '../../platform/ids.ts';
import { type IncomingEvent, type NotificationSpec, RULES } from './catalog.ts';
import type { NotificationsContext } from './context.ts';
import { render, toLocale } from './messages.ts';
import { outcomeEvent } from './outcomes.ts';
import { planDeliveries, type TargetCounts } from './planner.ts';
import { applyOverrides, defaultPreferences, type PreferenceMatrix } from './preferences.ts';
import { recipientOf } from './recipient.ts';
import { countTargets, insertDeliveries, insertNotification } from './repo.ts';
import type { Channel, NewDelivery, NotificationRow, NotificationsDb, RecipientRow } from './tables.ts';

async function targetCounts(
  trx: Transaction<NotificationsDb>,
  userId: string,
  recipient: RecipientRow | undefined,
): Promise<TargetCounts> {
  const push = await countTargets(trx, { userId });
  return {
    ...push,
    email: recipient?.email ? 1 : 0,
    sms: recipient?.phone ? 1 : 0,
  };
}

/** A person's switches: the defaults with their stored overrides on top. */
export function preferencesOf(recipient: Pick<RecipientRow, 'preferences'> | undefined): PreferenceMatrix {
  return applyOverrides(defaultPreferences(), recipient?.preferences ?? {});
}

/**
 * Turns one event into its notifications inside the bus handler's
 * transaction. The unique (user_id, event_id) key makes a redelivered event
 * a no-op, and the deliveries and their jobs commit with the notification.
 */
export async function notifyFromEvent(
  ctx: NotificationsContext,
  trx: Transaction<NotificationsDb>,
  event: IncomingEvent,
): Promise<NotificationRow[]> {
  const rule = RULES[event.type];
  if (!rule) return [];
  const created: NotificationRow[] = [];
  for (const spec of rule(event)) {
    const row = await createNotification(ctx, trx, event.id, spec);
    if (row) created.push(row);
  }
  return created;
}

export async function createNotification(
  ctx: NotificationsContext,
  trx: Transaction<NotificationsDb>,
  eventId: string,
  spec: NotificationSpec,
): Promise<NotificationRow | undefined> {
  const _scope = { userId: spec.userId };
  const recipient = await recipientOf(ctx, trx, spec.userId);
  const { title, body } = render(spec.kind, toLocale(recipient?.locale), spec.params);
  const preferences = preferencesOf(recipient);
  // The inbox is the in-app channel: switched off, the item is kept for its other deliveries but never shown.
  const inbox = preferences[spec.category].in_app;
  const notification = await insertNotification(trx, {
    user_id: spec.userId,
    id: newId(),
    event_id: eventId,
    kind: spec.kind,
    category: spec.category,
    priority: spec.priority,
    title,
    body,
    data: spec.data,
    inbox,
  });
  if (!notification) return undefined; // this event already notified this person
  ctx.metrics.created.inc({ category: spec.category });
  // Same transaction: the realtime connection hears of it only if it commits. Written with the
  // delivery outcomes below, in one statement.
  const events: OutboxEvent[] = [];
  if (inbox)
    events.push(
      outboxEvent(
        'notification.created',
        {
          notificationId: notification.id,
          userId: spec.userId,
          kind: spec.kind,
          category: spec.category,
          title,
          body,
          data: spec.data,
        },
        { actorId: null },
      ),
    );

  const now = ctx.now();
  const plans = planDeliveries(
    spec,
    preferences,
    await targetCounts(trx, spec.userId, recipient),
    recipient,
    now,
  );
  const base = { user_id: spec.userId, notification_id: notification.id };
  const rows: NewDelivery[] = [
    // The inbox row is the in-app delivery: stored at once, whatever the hour, unless switched off.
    inbox
      ? {
          ...base,
          id: newId(),
          channel: 'in_app' as Channel,
          status: 'delivered',
          delivered_at: now,
          sent_at: now,
        }
      : { ...base, id: newId(), channel: 'in_app' as Channel, status: 'suppressed', reason: 'preference' },
    ...plans.map((plan) => ({
      ...base,
      id: newId(),
      channel: plan.channel,
      status: plan.status,
      reason: plan.reason,
      digest: plan.digest,
      next_attempt_at: plan.status === 'pending' ? plan.runAt : null,
    })),
  ];
  await insertDeliveries(trx, rows);
  for (const row of rows) {
    const outcome = outcomeEvent(
      { ...row, kind: spec.kind, data: spec.data },
      { status: row.status, reason: row.reason, at: now },
    );
    if (outcome) events.push(outcome);
  }
  await publishAll(trx, events);
  for (const row of rows) {
    if (row.status === 'suppressed')
      ctx.metrics.deliveries.inc({ channel: row.channel, outcome: 'suppressed' });
    if (row.status !== 'pending' || row.digest) continue;
    await ctx.queue.enqueue(trx, { userId: spec.userId, deliveryId: row.id }, row.next_attempt_at as Date);
  }
  return notification;
}
