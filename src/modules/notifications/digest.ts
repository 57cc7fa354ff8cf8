import type { NotificationsContext } from './context.ts';
import { sendDelivery } from './delivery.ts';
import { preferencesOf } from './intake.ts';
import { render, toLocale } from './messages.ts';
import { recipientOf } from './recipient.ts';
import { lockDigestItems, settleDigestItems, usersWithDigest } from './repo.ts';
import type { Category, Channel } from './tables.ts';

/** Per run, so one run stays short; the rest wait for the next hour. */
const USERS_PER_RUN = 500;

/**
 * The hourly digest: low-priority items (reactions) that wait on an outbound
 * channel go out as one message per person, channel and category, and every
 * row they stand for is settled with that message's outcome. A transient
 * failure leaves them pending for the next run.
 */
export async function sendDigests(ctx: NotificationsContext): Promise<number> {
  let messages = 0;
  for (const { user_id: userId, channel } of await usersWithDigest(ctx.db, USERS_PER_RUN)) {
    messages += await digestFor(ctx, userId, channel);
  }
  return messages;
}

async function digestFor(ctx: NotificationsContext, userId: string, channel: Channel): Promise<number> {
  return ctx.db.transaction().execute(async (trx) => {
    const scope = { userId };
    const items = await lockDigestItems(trx, scope, channel);
    if (items.length === 0) return 0;
    const recipient = await recipientOf(ctx, trx, userId);
    // Switches may have changed while the items waited for the hour.
    const preferences = preferencesOf(recipient);
    const locale = toLocale(recipient?.locale);
    const byCategory = new Map<Category, typeof items>();
    for (const item of items) byCategory.set(item.category, [...(byCategory.get(item.category) ?? []), item]);
    let sent = 0;
    for (const [category, group] of byCategory) {
      const { title } = render('digest.title', locale, { count: String(group.length), lines: '' });
      const ids = group.map((item) => item.id);
      if (!preferences[category][channel]) {
        await settleDigestItems(trx, scope, ids, { status: 'suppressed', reason: 'preference' });
        ctx.metrics.deliveries.inc({ channel, outcome: 'suppressed' }, ids.length);
        continue;
      }
      const outcome = await sendDelivery(
        ctx,
        trx,
        {
          user_id: userId,
          notification_id: group[0]!.notification_id,
          channel,
          kind: 'digest',
          category,
          priority: 'low',
          title,
          body: group.map((item) => `• ${item.title}`).join('\n'),
          data: {},
        },
        recipient,
      );
      if (outcome.sent.length > 0) {
        await settleDigestItems(trx, scope, ids, {
          status: 'sent',
          providerMessageId: outcome.sent[0]?.providerMessageId ?? null,
        });
        ctx.metrics.deliveries.inc({ channel, outcome: 'sent' });
        sent++;
      } else if (outcome.errors.some((e) => e.kind === 'transient')) {
        ctx.metrics.deliveries.inc({ channel, outcome: 'retry' });
      } else {
        const reason = outcome.errors.length === 0 ? 'no-target' : 'permanent';
        await settleDigestItems(trx, scope, ids, {
          status: 'failed',
          reason,
          error: outcome.errors[0]?.message,
        });
        ctx.metrics.deliveries.inc({ channel, outcome: 'failed' });
      }
    }
    return sent;
  });
}
