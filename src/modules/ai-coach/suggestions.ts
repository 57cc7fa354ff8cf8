import type { Static } from 'typebox';
import { recordTokens, reserveMessage } from './budgets.ts';
import type { CoachContext } from './context.ts';
import { assertCoachOn } from './gate.ts';
import { ClientGone, costOf, type Usage } from './gateway.ts';
import { moderate } from './safety.ts';
import type { DateIdeasBody, LoveNoteBody, StartersBody, Suggestions } from './schemas.ts';

/**
 * Generation: love note drafts, date ideas and conversation starters. The
 * first provider of the chain writes them (one per line, parsed and
 * moderated); the offline coach, or any shortfall, uses shipped lists. Each
 * request counts as one message of the daily budget.
 */
type Result = Static<typeof Suggestions>;

const NOTES: Record<string, string[]> = {
  romantic: [
    'Every day with you still feels like the best thing that happened to me.',
    'You are my favourite place to come home to.',
    'I fall for you again in the small moments: your laugh, your hand in mine.',
  ],
  playful: [
    'Warning: I am thinking about you again. Side effects include smiling at my phone.',
    'You + me + snacks tonight? Asking for a friend (the friend is me).',
    'I would share my last fry with you. That is how serious this is.',
  ],
  grateful: [
    'Thank you for all the things you do that nobody sees. I see them.',
    'I am grateful for your patience with me, especially this week.',
    'Thank you for making ordinary days feel like ours.',
  ],
  supportive: [
    'Whatever today brings, I am in your corner.',
    'You do not have to carry this alone. I am right here.',
    'I believe in you, even on the days you do not.',
  ],
  apologetic: [
    'I am sorry for how I spoke earlier. You deserved better, and I want to listen.',
    'I was wrong, and I am sorry. Can we talk tonight?',
    'You matter more to me than being right. I am sorry.',
  ],
};
const OCCASION: Record<string, string> = {
  everyday: '',
  anniversary: 'Happy anniversary. ',
  birthday: 'Happy birthday, love. ',
  'good-morning': 'Good morning. ',
  'good-night': 'Good night. ',
  'after-argument': '',
  'missing-you': 'Missing you. ',
};

const DATES: Record<string, Record<string, string[]>> = {
  free: {
    indoor: [
      'Cook a new recipe together',
      'Living-room picnic with a playlist from when you met',
      'Ask each other the 36 questions',
    ],
    outdoor: [
      'Sunset walk with a thermos',
      'Stargazing with a blanket',
      'Explore a neighbourhood you never visit',
    ],
  },
  low: {
    indoor: ['Board game café', 'Bake and decorate something together', 'Museum on a free-entry day'],
    outdoor: ['Bike ride to a café', 'Farmers market breakfast', 'Picnic in a botanical garden'],
  },
  medium: {
    indoor: ['Cooking class for two', 'Comedy club night', 'Pottery workshop'],
    outdoor: ['Kayak or paddle-board rental', 'Day hike with a lunch out', 'Open-air concert'],
  },
  high: {
    indoor: [
      'Tasting menu at a restaurant you both wanted to try',
      'Spa afternoon for two',
      'Theatre tickets and dinner',
    ],
    outdoor: ['Weekend away somewhere new', 'Hot-air balloon ride', 'Sailing afternoon'],
  },
};

const STARTERS: Record<string, string[]> = {
  light: [
    'What was the best part of your week?',
    'If we had a free day tomorrow, what would you want to do?',
    'What is a small thing I do that makes you smile?',
    'Which trip would you love to take together next?',
  ],
  deep: [
    'What is something you have been wanting to tell me but have not found the moment for?',
    'When do you feel most loved by me?',
    'What dream of yours would you like my help with this year?',
    'What is something from your childhood that still shapes how you love?',
  ],
};

async function generate(
  ctx: CoachContext,
  userId: string,
  prompt: string,
  count: number,
  fallback: string[],
): Promise<Result> {
  await assertCoachOn(ctx, userId);
  await reserveMessage(ctx, userId);
  const first = ctx.gateway.models[0];
  if (!first || first.provider === 'offline') return { items: fallback.slice(0, count), provider: 'offline' };
  const controller = new AbortController();
  let text = '';
  let usage: Usage | undefined;
  try {
    const opened = await ctx.gateway.open({
      system: `You write short suggestions for a couples app. Answer with exactly ${count} lines, one suggestion per line, no numbering, nothing else.`,
      messages: [{ role: 'user', content: prompt }],
      maxOutputTokens: 300,
      abortSignal: controller.signal,
    });
    for await (const part of opened.parts) {
      if (part.type === 'finish') usage = part.usage;
      else text += part.text;
    }
    if (usage)
      await recordTokens(ctx, userId, usage.inputTokens + usage.outputTokens, costOf(usage, opened.price));
    if (opened.provider === 'offline' || moderate(text).flagged)
      return { items: fallback.slice(0, count), provider: 'offline' };
    const lines = text
      .split('\n')
      .map((line) => line.replace(/^\s*(\d+[.)]|[-*•])\s*/, '').trim())
      .filter(Boolean)
      .slice(0, count);
    return { items: [...lines, ...fallback].slice(0, count), provider: opened.provider };
  } catch (error) {
    if (error instanceof ClientGone) throw error;
    return { items: fallback.slice(0, count), provider: 'offline' };
  }
}

export function loveNoteDrafts(ctx: CoachContext, userId: string, input: Static<typeof LoveNoteBody>) {
  const fallback = (NOTES[input.tone] ?? NOTES.romantic!).map(
    (note) => `${OCCASION[input.occasion] ?? ''}${note}`,
  );
  return generate(
    ctx,
    userId,
    `Write 3 short love notes (under 40 words each), tone: ${input.tone}, occasion: ${input.occasion}.`,
    3,
    fallback,
  );
}

export function dateIdeas(ctx: CoachContext, userId: string, input: Static<typeof DateIdeasBody>) {
  const byBudget = DATES[input.budget] ?? DATES.low!;
  const fallback =
    input.setting === 'either' ? [...byBudget.indoor!, ...byBudget.outdoor!] : [...byBudget[input.setting]!];
  const where = input.city ? ` in or near ${input.city}` : '';
  return generate(
    ctx,
    userId,
    `Suggest 5 date ideas${where}, budget: ${input.budget}, setting: ${input.setting}.`,
    Math.min(fallback.length, 5),
    fallback,
  );
}

export function conversationStarters(ctx: CoachContext, userId: string, input: Static<typeof StartersBody>) {
  const depth = input.depth ?? 'light';
  return generate(ctx, userId, `Suggest 4 ${depth} conversation starters for a couple.`, 4, STARTERS[depth]!);
}
