import type { NotificationSpec } from './catalog.ts';
import type { PreferenceMatrix } from './preferences.ts';
import { quietUntil } from './quiet-hours.ts';
import type { OutboundChannel, RecipientRow } from './tables.ts';

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
