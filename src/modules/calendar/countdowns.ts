import { DateTime } from 'luxon';
import type { Static } from 'typebox';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import type { CalendarContext } from './context.ts';
import type { CountdownView } from './schemas.ts';
import { coupleOrConflict } from './service.ts';

type Countdown = Static<typeof CountdownView>;

/** Round numbers of days together worth a countdown. */
const MILESTONES = [
  100, 200, 300, 500, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 7500, 10_000, 15_000, 20_000,
];

/** The next time a yearly date comes round from `today` (29 February falls on the 28th in other years). */
function nextYearly(date: DateTime, today: DateTime): { next: DateTime; years: number } {
  let years = Math.max(0, today.year - date.year);
  let next = date.plus({ years });
  if (next < today) {
    years += 1;
    next = date.plus({ years });
  }
  return { next, years };
}

function yearly(
  kind: Countdown['kind'],
  title: string,
  iso: string,
  today: DateTime,
  userId: string | null = null,
): Countdown | null {
  const date = DateTime.fromISO(iso, { zone: today.zone });
  if (!date.isValid) return null;
  const { next, years } = nextYearly(date.startOf('day'), today);
  return {
    kind,
    title,
    userId,
    date: date.toISODate() as string,
    next: next.toISODate() as string,
    daysLeft: Math.round(next.diff(today, 'days').days),
    years,
    days: null,
  };
}

/**
 * Countdowns of the caller's couple, in the caller's time zone: the
 * anniversary, the relationship start and the day they linked (yearly), both
 * partners' birthdays where the profile shows them, and the next round
 * number of days together. Soonest first.
 */
export async function countdowns(
  ctx: CalendarContext,
  user: AuthUser,
  now = new Date(),
): Promise<Countdown[]> {
  const couple = await coupleOrConflict(ctx, user.id);
  const zone = await ctx.deps.timeZoneOf(ctx.platform, user.id);
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const dates = await ctx.deps.datesOf(ctx.platform, couple.coupleId);
  const result: Array<Countdown | null> = [];
  if (dates) {
    const linked = DateTime.fromJSDate(dates.linkedAt, { zone }).toISODate() as string;
    if (dates.anniversary) result.push(yearly('anniversary', 'Your anniversary', dates.anniversary, today));
    if (dates.relationshipStart) {
      result.push(yearly('relationship-start', 'Since you got together', dates.relationshipStart, today));
    }
    result.push(yearly('linked', 'Since you linked in One 2 One Love', linked, today));
    const since = DateTime.fromISO(dates.relationshipStart ?? linked, { zone });
    const together = Math.round(today.diff(since, 'days').days);
    const milestone = MILESTONES.find((days) => days >= together);
    if (milestone !== undefined) {
      const next = since.plus({ days: milestone });
      result.push({
        kind: 'days-together',
        title: `${milestone.toLocaleString('en')} days together`,
        userId: null,
        date: since.toISODate() as string,
        next: next.toISODate() as string,
        daysLeft: milestone - together,
        years: null,
        days: milestone,
      });
    }
  }
  const people = [user.id, ...(couple.partnerId ? [couple.partnerId] : [])];
  const birthdays = await ctx.deps.birthdaysSeenBy(ctx.platform, user.id, people);
  for (const userId of people) {
    const birthday = birthdays.get(userId);
    if (birthday) {
      const title = userId === user.id ? 'Your birthday' : "Your partner's birthday";
      result.push(yearly('birthday', title, birthday, today, userId));
    }
  }
  return result
    .filter((entry): entry is Countdown => entry !== null)
    .sort((a, b) => a.daysLeft - b.daysLeft || a.kind.localeCompare(b.kind));
}
