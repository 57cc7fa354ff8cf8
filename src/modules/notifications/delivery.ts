import type { Transaction } from 'kysely';
import { ChannelError, type SendResult, toE164 } from '../../platform/channels/index.ts';
import { newId } from '../../platform/ids.ts';
import type { NotificationsContext } from './context.ts';
import { renderMail } from './email.ts';
import { preferencesOf } from './intake.ts';
import { toLocale } from './messages.ts';
import { publishOutcome } from './outcomes.ts';
import { recipientOf } from './recipient.ts';
import {
  deleteDevice,
  deletePushSubscription,
  findDelivery,
  insertDeliveries,
  type LockedDelivery,
  listDevices,
  listPushSubscriptions,
  lockDelivery,
  lockNotification,
  updateDelivery,
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

/**
 * One attempt of one delivery, run by the `notifications.deliver` job. The
 * row is locked for the attempt (a second worker waits, then sees it is no
 * longer pending), so a message goes out once even when the job runs twice.
 * Transient failures reschedule with backoff; permanent ones stop; targets
 * the provider reports as gone are removed.
 */
export async function attemptDelivery(
  ctx: NotificationsContext,
  job: { userId: string; deliveryId: string },
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const scope = { userId: job.userId };
    const delivery = await lockDelivery(trx, scope, job.deliveryId);
    if (delivery?.status !== 'pending') return;
    const now = ctx.now();
    const due = delivery.next_attempt_at ?? delivery.created_at;
    ctx.metrics.queueLag.observe(
      { channel: delivery.channel },
      Math.max(0, (now.getTime() - due.getTime()) / 1000),
    );
    const recipient = await recipientOf(ctx, trx, job.userId);
    // Preferences may have changed while it waited (quiet hours, retries).
    const preferences = preferencesOf(recipient);
    if (!preferences[delivery.category][delivery.channel]) {
      await updateDelivery(trx, scope, delivery.id, {
        status: 'suppressed',
        reason: 'preference',
        nextAttemptAt: null,
      });
      await publishOutcome(trx, delivery, { status: 'suppressed', reason: 'preference', at: now });
      ctx.metrics.deliveries.inc({ channel: delivery.channel, outcome: 'suppressed' });
      return;
    }

    const outcome = await sendDelivery(ctx, trx, delivery, recipient);
    const attempts = delivery.attempts + 1;
    if (outcome.pruned > 0)
      ctx.metrics.deliveries.inc({ channel: delivery.channel, outcome: 'pruned' }, outcome.pruned);
    if (outcome.sent.length > 0) {
      await updateDelivery(trx, scope, delivery.id, {
        status: 'sent',
        attempts,
        nextAttemptAt: null,
        sentAt: now,
        providerMessageId: outcome.sent.find((r) => r.providerMessageId)?.providerMessageId ?? null,
        lastError: outcome.errors[0]?.message ?? null,
      });
      await publishOutcome(trx, delivery, { status: 'sent', reason: delivery.reason, at: now });
      ctx.metrics.deliveries.inc({ channel: delivery.channel, outcome: 'sent' });
      return;
    }
    const transient = outcome.errors.filter((e) => e.kind === 'transient');
    if (transient.length > 0 && attempts < ctx.retry.maxAttempts) {
      const retryAfter = Math.max(0, ...transient.map((e) => e.retryAfterMs ?? 0));
      const runAt = new Date(now.getTime() + retryDelayMs(attempts, ctx.retry, retryAfter));
      await updateDelivery(trx, scope, delivery.id, {
        status: 'pending',
        attempts,
        nextAttemptAt: runAt,
        lastError: transient[0]!.message,
      });
      await ctx.queue.enqueue(trx, { userId: job.userId, deliveryId: delivery.id }, runAt);
      ctx.metrics.deliveries.inc({ channel: delivery.channel, outcome: 'retry' });
      return;
    }
    const noTarget = outcome.errors.length === 0;
    const reason = noTarget ? 'no-target' : transient.length > 0 ? 'retries-exhausted' : 'permanent';
    await updateDelivery(trx, scope, delivery.id, {
      status: 'failed',
      attempts,
      nextAttemptAt: null,
      reason,
      lastError:
        outcome.errors[0]?.message ?? (outcome.pruned > 0 ? 'every target was invalid and removed' : null),
    });
    await publishOutcome(trx, delivery, { status: 'failed', reason, at: now });
    ctx.metrics.deliveries.inc({ channel: delivery.channel, outcome: 'failed' });
    if (noTarget && (delivery.channel === 'web_push' || delivery.channel === 'mobile_push')) {
      await fallBackToEmail(ctx, trx, delivery, recipient);
    }
  });
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
