import type { Transaction } from 'kysely';
import { afterCommit } from '../../platform/bus/after-commit.ts';
import { type OutboxEvent, outboxEvent, publishAll } from '../../platform/bus/publish.ts';
import { newId } from '../../platform/ids.ts';
import { forgetInboxes } from './cache.ts';
import { type IncomingEvent, type NotificationSpec, RULES } from './catalog.ts';
import type { NotificationsContext } from './context.ts';
import { render, toLocale } from './messages.ts';
import { type OutcomeChange, outcomeEvents } from './outcomes.ts';
import { planDeliveries, type TargetCounts } from './planner.ts';
import { applyOverrides, defaultPreferences, type PreferenceMatrix } from './preferences.ts';
import { recipientsOf } from './recipient.ts';
import { countTargets, insertDeliveries, insertNotifications } from './repo.ts';
import type { Channel, NewDelivery, NotificationRow, NotificationsDb, RecipientRow } from './tables.ts';

/** A person's switches: the defaults with their stored overrides on top. */
export function preferencesOf(recipient: Pick<RecipientRow, 'preferences'> | undefined): PreferenceMatrix {
  return applyOverrides(defaultPreferences(), recipient?.preferences ?? {});
}

/**
 * Turns one event into its notifications inside the bus handler's
 * transaction (see `notifyFromEvents`).
 */
export async function notifyFromEvent(
  ctx: NotificationsContext,
  trx: Transaction<NotificationsDb>,
  event: IncomingEvent,
): Promise<NotificationRow[]> {
  return notifyFromEvents(ctx, trx, [event]);
}

/** One notification an event asks for, with what intake learns about it on the way. */
interface Pending {
  eventId: string;
  spec: NotificationSpec;
  recipient: RecipientRow | undefined;
  preferences: PreferenceMatrix;
  title: string;
  body: string;
  inbox: boolean;
  id: string;
}

/**
 * Turns a batch of events into their notifications inside the bus handler's
 * transaction (opened by `withCommitHooks`: once it commits, the cached inbox
 * lists of everyone given an item are invalidated, before the batch is
 * acknowledged), with the same effect as taking them one by one: the unique
 * (user_id, event_id) key makes a redelivered event a no-op, and the
 * deliveries, their events and their jobs commit with the notifications. A
 * batch costs the same few statements as one event: the recipients (three
 * reads), the notifications, the push targets, the deliveries and the outbox
 * rows, each one statement for the whole batch.
 */
export async function notifyFromEvents(
  ctx: NotificationsContext,
  trx: Transaction<NotificationsDb>,
  events: IncomingEvent[],
): Promise<NotificationRow[]> {
  const asked = events.flatMap((event) =>
    (RULES[event.type]?.(event) ?? []).map((spec) => ({ eventId: event.id, spec })),
  );
  if (asked.length === 0) return [];
  const recipients = await recipientsOf(
    ctx,
    trx,
    asked.map((a) => a.spec.userId),
  );
  const pending: Pending[] = asked.map(({ eventId, spec }) => {
    const recipient = recipients.get(spec.userId);
    const { title, body } = render(spec.kind, toLocale(recipient?.locale), spec.params);
    const preferences = preferencesOf(recipient);
    // The inbox is the in-app channel: switched off, the item is kept for its other deliveries but never shown.
    return {
      eventId,
      spec,
      recipient,
      preferences,
      title,
      body,
      inbox: preferences[spec.category].in_app,
      id: newId(),
    };
  });
  const inserted = await insertNotifications(
    trx,
    pending.map((p) => ({
      user_id: p.spec.userId,
      id: p.id,
      event_id: p.eventId,
      kind: p.spec.kind,
      category: p.spec.category,
      priority: p.spec.priority,
      title: p.title,
      body: p.body,
      data: p.spec.data,
      inbox: p.inbox,
    })),
  );
  // A row that conflicted (this event already notified this person) is not returned.
  const byId = new Map(inserted.map((row) => [row.id, row]));
  const created = pending.filter((p) => byId.has(p.id));
  if (created.length === 0) return [];
  // After the commit: invalidated before it, a list read in between would be cached as current.
  const shown = created.filter((p) => p.inbox).map((p) => p.spec.userId);
  if (shown.length > 0) afterCommit(trx, () => forgetInboxes(ctx.responseCache, shown));
  const targets = await countTargets(
    trx,
    created.map((p) => p.spec.userId),
  );
  const now = ctx.now();
  // Same transaction: the realtime connection hears of a notification only if it commits.
  const outbox: OutboxEvent[] = [];
  const outcomes: OutcomeChange[] = [];
  const deliveries: NewDelivery[] = [];
  for (const p of created) {
    const { spec } = p;
    ctx.metrics.created.inc({ category: spec.category });
    const push = targets.get(spec.userId) ?? { web_push: 0, mobile_push: 0 };
    const counts: TargetCounts = {
      web_push: push.web_push,
      mobile_push: push.mobile_push,
      email: p.recipient?.email ? 1 : 0,
      sms: p.recipient?.phone ? 1 : 0,
    };
    const plans = planDeliveries(spec, p.preferences, counts, p.recipient, now);
    // Objects written out, not `{ ...base, … }`: V8 (Node 20) builds a spread with added properties
    // through fresh hidden classes, 1.5–3 µs each against 0.04 (bench/object-spread.ts), and intake
    // makes six rows and six outcomes per notification.
    const user_id = spec.userId;
    const notification_id = p.id;
    const rows: NewDelivery[] = [
      // The inbox row is the in-app delivery: stored at once, whatever the hour, unless switched off.
      p.inbox
        ? {
            user_id,
            notification_id,
            id: newId(),
            channel: 'in_app' as Channel,
            status: 'delivered',
            delivered_at: now,
            sent_at: now,
          }
        : {
            user_id,
            notification_id,
            id: newId(),
            channel: 'in_app' as Channel,
            status: 'suppressed',
            reason: 'preference',
          },
      ...plans.map((plan) => ({
        user_id,
        notification_id,
        id: newId(),
        channel: plan.channel,
        status: plan.status,
        reason: plan.reason,
        digest: plan.digest,
        next_attempt_at: plan.status === 'pending' ? plan.runAt : null,
      })),
    ];
    for (const row of rows) {
      outcomes.push({
        delivery: {
          user_id,
          notification_id,
          id: row.id!,
          channel: row.channel,
          kind: spec.kind,
          data: spec.data,
        },
        status: row.status,
        reason: row.reason,
        at: now,
      });
      if (row.status === 'suppressed')
        ctx.metrics.deliveries.inc({ channel: row.channel, outcome: 'suppressed' });
    }
    deliveries.push(...rows);
    // Due now: the first attempt rides the bus (a batch of them per transaction) instead of a job each.
    const due = rows
      .filter((row) => row.status === 'pending' && !row.digest && (row.next_attempt_at as Date) <= now)
      .map((row) => row.id!);
    // One event per notification where it can be: the inbox item carries its due ids. Kept out of
    // the inbox, there is no inbox item to announce, and the ids go alone.
    if (p.inbox)
      outbox.push(
        outboxEvent(
          'notification.created',
          {
            notificationId: p.id,
            userId: spec.userId,
            kind: spec.kind,
            category: spec.category,
            title: p.title,
            body: p.body,
            data: spec.data,
            ...(due.length > 0 ? { dueDeliveryIds: due } : {}),
          },
          { actorId: null },
        ),
      );
    else if (due.length > 0)
      outbox.push(
        outboxEvent(
          'notification.deliveries-due',
          { notificationId: p.id, userId: spec.userId, deliveryIds: due },
          { actorId: null },
        ),
      );
  }
  // Every planned channel of a tracked notification in one notification.deliveries-updated.
  outbox.push(...outcomeEvents(outcomes));
  await insertDeliveries(trx, deliveries);
  await publishAll(trx, outbox);
  // Later ones (quiet hours) wait as jobs; those due now went out with notification.created.
  for (const row of deliveries) {
    if (row.status !== 'pending' || row.digest || (row.next_attempt_at as Date) <= now) continue;
    await ctx.queue.enqueue(trx, { userId: row.user_id, deliveryId: row.id! }, row.next_attempt_at as Date);
  }
  return created.map((p) => byId.get(p.id)!);
}
