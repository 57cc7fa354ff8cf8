import type { Transaction } from 'kysely';
import { publishAll } from '../../platform/bus/publish.ts';
import { ChannelError, type SendResult, toE164 } from '../../platform/channels/index.ts';
import { newId } from '../../platform/ids.ts';
import type { NotificationsContext } from './context.ts';
import { renderMail } from './email.ts';
import { preferencesOf } from './intake.ts';
import { toLocale } from './messages.ts';
import { outcomeEvents, publishOutcome } from './outcomes.ts';
import { recipientsOf } from './recipient.ts';
import {
  type DeliveryUpdate,
  deleteDevice,
  deletePushSubscription,
  findDelivery,
  insertDeliveries,
  type LockedDelivery,
  listDevices,
  listPushSubscriptions,
  lockDeliveries,
  lockNotification,
  updateDeliveries,
} from './repo.ts';
import type { NotificationsDb, RecipientRow } from './tables.ts';

/** Kinds whose push falls back to email when no push target works. */
const FALLBACK_KINDS = new Set(['love-note.received']);

export interface Outcome {
  sent: SendResult[];
  /** Targets the provider says are gone (already removed). */
  pruned: number;
  errors: ChannelError[];
  /** The person had no target at all for this channel. */
  noTarget: boolean;
}

/** Exponential backoff with full jitter, but never sooner than the provider asked. */
export function retryDelayMs(
  attempt: number,
  policy: NotificationsContext['retry'],
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = ceiling / 2 + Math.random() * (ceiling / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

const deepLink = (data: Record<string, unknown>) =>
  typeof data.noteId === 'string' ? `/notes/${data.noteId}` : '/notifications';

async function sendToTargets<T>(
  targets: T[],
  send: (target: T) => Promise<SendResult>,
  prune: (target: T) => Promise<unknown>,
): Promise<Outcome> {
  const outcome: Outcome = { sent: [], pruned: 0, errors: [], noTarget: targets.length === 0 };
  await Promise.all(
    targets.map(async (target) => {
      try {
        outcome.sent.push(await send(target));
      } catch (error) {
        const failure = error instanceof ChannelError ? error : new ChannelError('transient', String(error));
        if (failure.kind === 'invalid-target') {
          await prune(target);
          outcome.pruned++;
        } else outcome.errors.push(failure);
      }
    }),
  );
  return outcome;
}

/** What one send needs: a locked delivery, or a digest standing for several. */
export type Sendable = Pick<
  LockedDelivery,
  'user_id' | 'notification_id' | 'channel' | 'kind' | 'category' | 'priority' | 'title' | 'body' | 'data'
>;

export async function sendDelivery(
  ctx: NotificationsContext,
  trx: Transaction<NotificationsDb>,
  delivery: Sendable,
  recipient: RecipientRow | undefined,
): Promise<Outcome> {
  const scope = { userId: delivery.user_id };
  const data = delivery.data as Record<string, string>;
  const payload = {
    id: delivery.notification_id,
    kind: delivery.kind,
    title: delivery.title,
    body: delivery.body,
    data,
  };
  switch (delivery.channel) {
    case 'web_push':
      return sendToTargets(
        await listPushSubscriptions(trx, scope),
        (s) =>
          ctx.channels.webPush.send(
            { endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } },
            {
              payload,
              ttlSeconds: 24 * 3600,
              urgency: delivery.priority === 'low' ? 'low' : 'high',
              topic: delivery.kind.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 32),
            },
          ),
        (s) => deletePushSubscription(trx, scope, s.id),
      );
    case 'mobile_push':
      return sendToTargets(
        await listDevices(trx, scope),
        (d) =>
          ctx.channels.mobilePush.send(
            { platform: d.platform, token: d.token },
            {
              title: delivery.title,
              body: delivery.body,
              data: { notificationId: delivery.notification_id, kind: delivery.kind, ...data },
              priority: delivery.priority === 'low' ? 'normal' : 'high',
              collapseKey: delivery.kind,
              ttlSeconds: 24 * 3600,
            },
          ),
        (d) => deleteDevice(trx, scope, { id: d.id }),
      );
    case 'email': {
      const email = recipient?.email;
      return sendToTargets(
        email ? [email] : [],
        async (to) => {
          await ctx.mail.send(
            renderMail(
              {
                to,
                userId: delivery.user_id,
                locale: toLocale(recipient?.locale),
                category: delivery.category,
                subject: delivery.title,
                lines: delivery.body.split('\n'),
                path: deepLink(data),
              },
              ctx.links,
              ctx.encryption,
            ),
          );
          return { providerMessageId: null };
        },
        async () => {},
      );
    }
    case 'sms': {
      const phone = recipient?.phone ? toE164(recipient.phone) : undefined;
      return sendToTargets(
        phone ? [phone] : [],
        (to) => ctx.channels.sms.send({ to, body: `${delivery.title}: ${delivery.body}`.slice(0, 320) }),
        async () => {},
      );
    }
    default:
      return { sent: [], pruned: 0, errors: [], noTarget: true };
  }
}

/** What one attempt of a locked delivery decided: its row afterwards, and what follows from it. */
interface Attempt {
  delivery: LockedDelivery;
  recipient: RecipientRow | undefined;
  row: DeliveryUpdate;
  /** Announce the new status (`notification.deliveries-updated`); a rescheduled retry is not announced. */
  announce: boolean;
  metric: 'suppressed' | 'sent' | 'retry' | 'failed';
  /** A push that reached nobody: email may stand in (fallBackToEmail). */
  fallback: boolean;
}

/**
 * Sends one locked, pending delivery (or suppresses it when its switch went
 * off while it waited) and decides the row's next state. Writes nothing but
 * the pruning of targets the provider calls gone: `settle` writes the rows
 * of a whole batch of attempts at once.
 */
async function attempt(
  ctx: NotificationsContext,
  trx: Transaction<NotificationsDb>,
  delivery: LockedDelivery,
  recipient: RecipientRow | undefined,
  now: Date,
): Promise<Attempt> {
  const due = delivery.next_attempt_at ?? delivery.created_at;
  ctx.metrics.queueLag.observe(
    { channel: delivery.channel },
    Math.max(0, (now.getTime() - due.getTime()) / 1000),
  );
  const before: DeliveryUpdate = {
    user_id: delivery.user_id,
    id: delivery.id,
    status: delivery.status,
    reason: delivery.reason,
    attempts: delivery.attempts,
    next_attempt_at: delivery.next_attempt_at,
    provider_message_id: delivery.provider_message_id,
    last_error: delivery.last_error,
    sent_at: delivery.sent_at,
  };
  const decided = (row: Partial<DeliveryUpdate>, metric: Attempt['metric'], announce = true) => ({
    delivery,
    recipient,
    // Object.assign, not a two-object spread (fresh hidden classes per call in V8: bench/object-spread.ts).
    row: Object.assign({}, before, row),
    announce,
    metric,
    fallback: false,
  });
  // Preferences may have changed while it waited (quiet hours, retries).
  if (!preferencesOf(recipient)[delivery.category][delivery.channel])
    return decided({ status: 'suppressed', reason: 'preference', next_attempt_at: null }, 'suppressed');

  const outcome = await sendDelivery(ctx, trx, delivery, recipient);
  const attempts = delivery.attempts + 1;
  if (outcome.pruned > 0)
    ctx.metrics.deliveries.inc({ channel: delivery.channel, outcome: 'pruned' }, outcome.pruned);
  if (outcome.sent.length > 0)
    return decided(
      {
        status: 'sent',
        attempts,
        next_attempt_at: null,
        sent_at: now,
        provider_message_id: outcome.sent.find((r) => r.providerMessageId)?.providerMessageId ?? null,
        last_error: outcome.errors[0]?.message ?? null,
      },
      'sent',
    );
  const transient = outcome.errors.filter((e) => e.kind === 'transient');
  if (transient.length > 0 && attempts < ctx.retry.maxAttempts) {
    const retryAfter = Math.max(0, ...transient.map((e) => e.retryAfterMs ?? 0));
    const runAt = new Date(now.getTime() + retryDelayMs(attempts, ctx.retry, retryAfter));
    return decided(
      { status: 'pending', attempts, next_attempt_at: runAt, last_error: transient[0]!.message },
      'retry',
      false,
    );
  }
  const noTarget = outcome.errors.length === 0;
  const failed = decided(
    {
      status: 'failed',
      attempts,
      next_attempt_at: null,
      reason: noTarget ? 'no-target' : transient.length > 0 ? 'retries-exhausted' : 'permanent',
      last_error:
        outcome.errors[0]?.message ?? (outcome.pruned > 0 ? 'every target was invalid and removed' : null),
    },
    'failed',
  );
  return {
    ...failed,
    fallback: noTarget && (delivery.channel === 'web_push' || delivery.channel === 'mobile_push'),
  };
}

/**
 * Records a batch of attempts: every row in one update, every announced
 * outcome in one outbox insert, then the rare follow-ups one by one (a
 * retry's job, the email that stands in for a push that reached nobody).
 */
async function settle(
  ctx: NotificationsContext,
  trx: Transaction<NotificationsDb>,
  attempts: Attempt[],
  now: Date,
) {
  await updateDeliveries(
    trx,
    attempts.map((a) => a.row),
  );
  await publishAll(
    trx,
    outcomeEvents(
      attempts
        .filter((a) => a.announce)
        .map(({ delivery, row }) => ({ delivery, status: row.status, reason: row.reason, at: now })),
    ),
  );
  for (const { delivery, recipient, row, metric, fallback } of attempts) {
    ctx.metrics.deliveries.inc({ channel: delivery.channel, outcome: metric });
    if (metric === 'retry')
      await ctx.queue.enqueue(trx, { userId: row.user_id, deliveryId: row.id }, row.next_attempt_at!);
    if (fallback) await fallBackToEmail(ctx, trx, delivery, recipient);
  }
}

/**
 * Attempts of many deliveries in the caller's transaction: locked together,
 * their recipients read together, sent side by side (at most `SENDS_AT_ONCE`
 * at a time) and recorded together. A delivery that is no longer pending
 * (sent, suppressed or failed meanwhile, or run twice) is left alone, so a
 * message goes out once even when its attempt runs twice.
 */
export async function attemptDeliveries(
  ctx: NotificationsContext,
  trx: Transaction<NotificationsDb>,
  keys: Array<{ userId: string; deliveryId: string }>,
): Promise<void> {
  if (keys.length === 0) return;
  const now = ctx.now();
  const locked = (
    await lockDeliveries(
      trx,
      keys.map((k) => ({ userId: k.userId, id: k.deliveryId })),
    )
  ).filter((d) => d.status === 'pending');
  if (locked.length === 0) return;
  const recipients = await recipientsOf(
    ctx,
    trx,
    locked.map((d) => d.user_id),
  );
  const results: Attempt[] = [];
  for (let i = 0; i < locked.length; i += SENDS_AT_ONCE) {
    results.push(
      ...(await Promise.all(
        locked.slice(i, i + SENDS_AT_ONCE).map((d) => attempt(ctx, trx, d, recipients.get(d.user_id), now)),
      )),
    );
  }
  await settle(ctx, trx, results, now);
}

/** Sends one batch of attempts runs side by side (provider round trips overlap, the pool is not flooded). */
const SENDS_AT_ONCE = 16;

/**
 * One attempt of one delivery, run by the `notifications.deliver` job (a
 * retry, or a delivery that waited for quiet hours to end). The row is locked
 * for the attempt (a second worker waits, then sees it is no longer pending).
 * Transient failures reschedule with backoff; permanent ones stop; targets
 * the provider reports as gone are removed.
 */
export async function attemptDelivery(
  ctx: NotificationsContext,
  job: { userId: string; deliveryId: string },
): Promise<void> {
  await ctx.db.transaction().execute((trx) => attemptDeliveries(ctx, trx, [job]));
}

/**
 * A love note whose push reached nobody goes by email, unless the person
 * switched email off or another push channel is still under way.
 */
async function fallBackToEmail(
  ctx: NotificationsContext,
  trx: Transaction<NotificationsDb>,
  delivery: LockedDelivery,
  recipient: RecipientRow | undefined,
): Promise<void> {
  if (!FALLBACK_KINDS.has(delivery.kind) || !recipient?.email) return;
  const scope = { userId: delivery.user_id };
  const preferences = preferencesOf(recipient);
  if (!preferences[delivery.category].email) return;
  // Two push channels failing at once: the lock makes the second see the first's outcome.
  await lockNotification(trx, scope, delivery.notification_id);
  const other = await findDelivery(
    trx,
    scope,
    delivery.notification_id,
    delivery.channel === 'web_push' ? 'mobile_push' : 'web_push',
  );
  if (other && (other.status === 'pending' || other.status === 'sent' || other.status === 'delivered'))
    return;
  if (await findDelivery(trx, scope, delivery.notification_id, 'email')) return;
  const id = newId();
  const now = ctx.now();
  await insertDeliveries(trx, [
    {
      user_id: delivery.user_id,
      id,
      notification_id: delivery.notification_id,
      channel: 'email',
      status: 'pending',
      reason: 'fallback',
      next_attempt_at: now,
    },
  ]);
  await publishOutcome(
    trx,
    { ...delivery, id, channel: 'email' },
    { status: 'pending', reason: 'fallback', at: now },
  );
  await ctx.queue.enqueue(trx, { userId: delivery.user_id, deliveryId: id }, now);
}
