import type { Transaction } from 'kysely';
import { publish } from '../../platform/bus/publish.ts';
import { newId } from '../../platform/ids.ts';
import { type IncomingEvent, type NotificationSpec, RULES } from './catalog.ts';
import type { NotificationsContext } from './context.ts';
import { render, toLocale } from './messages.ts';
import type { PreferenceMatrix } from './preferences.ts';
import { quietUntil } from './quiet-hours.ts';
import {
  findRecipient,
  insertDeliveries,
  insertNotification,
  listDevices,
  listPushSubscriptions,
} from './repo.ts';
import type {
  Channel,
  NewDelivery,
  NotificationRow,
  NotificationsDb,
  OutboundChannel,
  RecipientRow,
} from './tables.ts';

const OUTBOUND: OutboundChannel[] = ['web_push', 'mobile_push', 'email', 'sms'];

/** Targets a person has per outbound channel, counted at intake. */
export interface TargetCounts {
  web_push: number;
  mobile_push: number;
  email: number;
  sms: number;
}

export interface Plan {
  channel: OutboundChannel;
  status: 'pending' | 'suppressed';
  reason: string | null;
  digest: boolean;
  runAt: Date;
}

/**
 * Decides, per outbound channel, whether a notification goes now, later
 * (quiet hours), in the digest (low priority), or not at all (and why).
 * Pure, so the rules are tested without a database.
 */
export function planDeliveries(
  spec: Pick<NotificationSpec, 'category' | 'priority' | 'channels' | 'fallbackToEmail'>,
  preferences: PreferenceMatrix,
  targets: TargetCounts,
  recipient: Pick<RecipientRow, 'time_zone' | 'quiet_start' | 'quiet_end'> | undefined,
  now: Date,
): Plan[] {
  const quiet =
    spec.priority !== 'urgent' && recipient && recipient.quiet_start !== null && recipient.quiet_end !== null
      ? quietUntil(
          { start: recipient.quiet_start, end: recipient.quiet_end, timeZone: recipient.time_zone },
          now,
        )
      : undefined;
  const enabled = (channel: OutboundChannel) =>
    (spec.channels === undefined || spec.channels.includes(channel)) && preferences[spec.category][channel];
  const pushReachable = (['web_push', 'mobile_push'] as const).some((c) => enabled(c) && targets[c] > 0);
  const plans: Plan[] = [];
  for (const channel of OUTBOUND) {
    if (spec.channels !== undefined && !spec.channels.includes(channel)) continue;
    const plan = (status: Plan['status'], reason: string | null): Plan => ({
      channel,
      status,
      reason,
      digest: status === 'pending' && spec.priority === 'low',
      runAt: quiet ?? now,
    });
    if (!preferences[spec.category][channel]) plans.push(plan('suppressed', 'preference'));
    else if (targets[channel] === 0) plans.push(plan('suppressed', 'no-target'));
    // Email is the fallback for a working push target: planned now only when there is none.
    else if (channel === 'email' && spec.fallbackToEmail && pushReachable) continue;
    else plans.push(plan('pending', quiet ? 'quiet-hours' : null));
  }
  return plans;
}

async function targetCounts(
  trx: Transaction<NotificationsDb>,
  userId: string,
  recipient: RecipientRow | undefined,
): Promise<TargetCounts> {
  const [subscriptions, devices] = await Promise.all([
    listPushSubscriptions(trx, { userId }),
    listDevices(trx, { userId }),
  ]);
  return {
    web_push: subscriptions.length,
    mobile_push: devices.length,
    email: recipient?.email ? 1 : 0,
    sms: recipient?.phone ? 1 : 0,
  };
}

export async function preferencesOf(
  ctx: NotificationsContext,
  userId: string,
  recipient: RecipientRow | undefined,
) {
  return ctx.preferences(userId, recipient?.preferences ?? {});
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
  const scope = { userId: spec.userId };
  const recipient = await findRecipient(trx, scope);
  const { title, body } = render(spec.kind, toLocale(recipient?.locale), spec.params);
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
  });
  if (!notification) return undefined; // this event already notified this person
  ctx.metrics.created.inc({ category: spec.category });
  // Same transaction: the realtime connection hears of it only if it commits.
  await publish(
    trx,
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
  );

  const now = ctx.now();
  const preferences = await preferencesOf(ctx, spec.userId, recipient);
  const plans = planDeliveries(
    spec,
    preferences,
    await targetCounts(trx, spec.userId, recipient),
    recipient,
    now,
  );
  const base = { user_id: spec.userId, notification_id: notification.id };
  const rows: NewDelivery[] = [
    // The inbox row is the in-app delivery: stored at once, whatever the hour.
    {
      ...base,
      id: newId(),
      channel: 'in_app' as Channel,
      status: 'delivered',
      delivered_at: now,
      sent_at: now,
    },
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
    if (row.status === 'suppressed')
      ctx.metrics.deliveries.inc({ channel: row.channel, outcome: 'suppressed' });
    if (row.status !== 'pending' || row.digest) continue;
    await ctx.queue.enqueue(trx, { userId: spec.userId, deliveryId: row.id }, row.next_attempt_at as Date);
  }
  return notification;
}
