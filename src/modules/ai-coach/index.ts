import type { AppModule } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { prepareMessage } from './chat.ts';
import { aiCoachConfig } from './config.ts';
import { coachContext } from './context.ts';
import { type CoachModuleOptions, depsFrom } from './deps.ts';
import { COACH_LIVE, missedReplies } from './live.ts';
import { migrations } from './migrations/index.ts';
import { coachPersonalData } from './personal-data.ts';
import { coachRoutes } from './routes.ts';

/**
 * The AI relationship coach: private conversations with streamed replies
 * (OpenAI, Anthropic, any OpenAI-compatible server, or the built-in offline
 * coach), a safety screen before every provider call, daily budgets, memory
 * and suggestions. Other modules import only this file.
 */
export type { CoachModuleOptions, LibraryItem } from './deps.ts';

/** Sending a message as REST does it, for tests and other surfaces (budgets and safety included). */
export function coachService(platform: Platform, options: CoachModuleOptions = {}) {
  const ctx = coachContext(platform, depsFrom(options));
  return {
    send: async (
      userId: string,
      conversationId: string,
      content: string,
      signal = new AbortController().signal,
    ) => {
      const prepared = await prepareMessage(ctx, userId, conversationId, content);
      let text = '';
      const reply = await prepared.run({ signal, delta: (d) => (text += d) });
      return { ...reply, content: text };
    },
  };
}

export function aiCoachModule(options: CoachModuleOptions = {}): AppModule {
  const deps = depsFrom(options);
  return {
    name: 'ai-coach',
    tablePrefix: 'ai_coach_',
    migrations,
    config: aiCoachConfig,
    personalData: coachPersonalData,
    live: { types: COACH_LIVE, replay: missedReplies },
    async routes(app, { platform }) {
      await app.register(coachRoutes, { ctx: coachContext(platform, deps) });
    },
  };
}
