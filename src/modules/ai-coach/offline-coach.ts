import { EXERCISES, type Exercise, TOPIC_WORDS } from './exercises.ts';
import { estimateTokens, type LanguageModel, type StreamPart, type StreamTextOptions } from './gateway.ts';
import type { Source } from './tables.ts';

/**
 * The built-in offline coach: deterministic and retrieval-based. It finds the
 * message's topic from keyword scores, picks a shipped exercise for it (and
 * the library's items, when the content module is there), reflects what it
 * heard, suggests the exercise and asks one follow-up question. It says
 * plainly that it is the offline coach. Same input, same answer.
 */
export const OFFLINE_MODEL_ID = 'offline-coach-1';

/** The best topic of a text, or 'connection' when nothing matches. */
export function topicOf(text: string): { topic: string; score: number } {
  const lower = text.toLowerCase();
  let best = { topic: 'connection', score: 0 };
  for (const [topic, words] of Object.entries(TOPIC_WORDS)) {
    const score = words.reduce((sum, word) => sum + (lower.includes(word) ? 1 : 0), 0);
    if (score > best.score) best = { topic, score };
  }
  return best;
}

/** A stable small number from a text, to vary the choice between equally fitting exercises. */
function hashOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function exerciseFor(topic: string, text: string): Exercise {
  const fitting = EXERCISES.filter((e) => e.topics[0] === topic);
  const pool = fitting.length > 0 ? fitting : EXERCISES.filter((e) => e.topics.includes(topic));
  const list = pool.length > 0 ? pool : EXERCISES;
  return list[hashOf(text) % list.length]!;
}

const REFLECTIONS: Record<string, string> = {
  conflict: 'the arguments between you are wearing you down, and you would like them to go differently',
  communication: 'you do not feel heard, and you want conversations that reach each other',
  trust: 'trust has been shaken, and you are wondering how to feel safe with each other again',
  jealousy: 'jealousy is stirring up worry about where you stand',
  intimacy: 'closeness and desire between you matter to you and feel out of step right now',
  'quality-time': 'you miss real time together beyond the everyday routine',
  appreciation: 'you would like to feel seen and appreciated for what you bring',
  stress: 'outside pressure is spilling into your relationship',
  'long-distance': 'the distance makes it hard to feel close',
  money: 'money is becoming a source of tension between you',
  chores: 'the load at home feels unevenly shared',
  family: 'family on one side is putting pressure on the two of you',
  parenting: 'parenting leaves little room for the two of you as a couple',
  apology: 'something needs repairing, and you are looking for a way to make amends',
  connection: 'you want to feel closer to your partner',
};

const QUESTIONS: Record<string, string> = {
  conflict: 'What usually happens in the first minute of these arguments?',
  communication: 'When did you last feel really listened to by your partner, and what was different then?',
  trust: 'What would a first small sign of trust look like for you this week?',
  jealousy: 'What fear sits underneath the jealousy when it comes up?',
  intimacy: 'What helps you feel relaxed and close, outside the bedroom?',
  'quality-time': 'What is one evening this week you could protect for the two of you?',
  appreciation: 'What is something your partner did recently that you appreciated but did not mention?',
  stress: 'How could your partner best support you when stress is high?',
  'long-distance': 'What is a small daily ritual you could share despite the distance?',
  money: 'What did money mean in the family you grew up in?',
  chores: 'Which task weighs on you most, including the planning and remembering?',
  family: 'What would feeling backed up by your partner look like with family?',
  parenting: 'When could you two get ten minutes just for yourselves this week?',
  apology: 'What do you think your partner most needs to hear from you?',
  connection: 'What is one moment recently when you felt close, and what made it so?',
};

export interface OfflineReply {
  text: string;
  topic: string;
  sources: Source[];
}

/** The reply for a message, with the sources it drew on (deterministic). */
export function offlineReply(message: string, library: Source[] = []): OfflineReply {
  const { topic } = topicOf(message);
  const exercise = exerciseFor(topic, message);
  const reading = library[0];
  const text = [
    'I am the offline coach (a simple built-in guide, not a generative AI and not a therapist).',
    `It sounds like ${REFLECTIONS[topic] ?? REFLECTIONS.connection}.`,
    `One practice that can help is "${exercise.title}" (${exercise.basis}): ${exercise.steps}`,
    ...(reading ? [`You may also like "${reading.title}" in the library.`] : []),
    QUESTIONS[topic] ?? QUESTIONS.connection!,
  ].join(' ');
  const sources: Source[] = [
    { id: exercise.id, title: exercise.title, tags: [...exercise.topics], kind: 'exercise' },
    ...library.slice(0, 2),
  ];
  return { text, topic, sources };
}

/** The offline coach as a gateway model: the reply streamed word by word, usage estimated, free. */
export function offlineModel(
  sourcesOf: (text: string) => Promise<Source[]> = async () => [],
): LanguageModel & { sourcesFor(text: string): Promise<Source[]> } {
  return {
    provider: 'offline',
    modelId: OFFLINE_MODEL_ID,
    price: { input: 0, output: 0 },
    sourcesFor: sourcesOf,
    async *streamText(options: StreamTextOptions): AsyncIterable<StreamPart> {
      const last = [...options.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      const library = await sourcesOf(last);
      const { text } = offlineReply(
        last,
        library.filter((s) => s.kind === 'content'),
      );
      for (const word of text.split(/(?<= )/)) {
        if (options.abortSignal.aborted) return;
        yield { type: 'text-delta', text: word };
      }
      yield {
        type: 'finish',
        usage: { inputTokens: estimateTokens(last), outputTokens: estimateTokens(text) },
      };
    },
  };
}
