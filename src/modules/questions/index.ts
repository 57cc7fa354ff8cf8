import type { EventMap } from '../../platform/bus/events.ts';
import type { AppModule } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { hubFor } from '../../platform/realtime/live-hub.ts';
import { type Bank, shippedBank } from './bank.ts';
import type { LiveSink, QuestionsContext } from './context.ts';
import { defaultDeps, type QuestionsDeps } from './dependencies.ts';
import { QUESTIONS_EVENTS } from './events.ts';
import { liveSink, missedSince, QUESTIONS_LIVE } from './live.ts';
import { migrations } from './migrations/index.ts';
import { questionsPersonalData } from './personal-data.ts';
import { questionsRoutes } from './routes.ts';
import type { QuestionsDb, QuestionsTrx } from './tables.ts';

/**
 * Daily questions and the "how well do you know me" quiz: one question a
 * day per couple from a shipped bank, answers revealed once both answered,
 * streaks, history and match scores. Other modules import only this file.
 */
export type { QuestionsDeps } from './dependencies.ts';

export interface QuestionsOptions {
  deps?: QuestionsDeps;
  /** The question bank (default: the shipped bank.json). */
  bank?: Bank;
  /** The clock (default: the system's). */
  now?: () => Date;
}

export function questionsContext(
  platform: Platform,
  options: QuestionsOptions = {},
  live: LiveSink = { answered: () => {} },
): QuestionsContext {
  return {
    platform,
    db: platform.database.db as QuestionsDb,
    deps: options.deps ?? defaultDeps,
    bank: options.bank ?? shippedBank(),
    live,
    now: options.now ?? (() => new Date()),
  };
}

export function questionsModule(options: QuestionsOptions = {}): AppModule {
  return {
    name: 'questions',
    tablePrefix: 'questions_',
    migrations,
    events: QUESTIONS_EVENTS,
    personalData: questionsPersonalData,
    live: {
      types: QUESTIONS_LIVE,
      replay: (platform, userId, since) => missedSince(questionsContext(platform, options), userId, since),
    },
    async routes(app, { platform }) {
      await app.register(questionsRoutes, {
        ctx: questionsContext(platform, options, liveSink(hubFor(platform))),
      });
    },
    async worker(platform) {
      platform.bus.consume('questions', ['couple.purged'], async (event, trx) => {
        // The couple's read-only period after an unlink ended: its questions, answers and guesses go.
        const { coupleId } = event.data as EventMap['couple.purged'];
        const db = trx as QuestionsTrx;
        await db.deleteFrom('questions_answers').where('couple_id', '=', coupleId).execute();
        await db.deleteFrom('questions_guesses').where('couple_id', '=', coupleId).execute();
        await db.deleteFrom('questions_days').where('couple_id', '=', coupleId).execute();
      });
      return async () => {};
    },
  };
}
