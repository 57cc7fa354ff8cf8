import { serviceUnavailable } from '../../platform/http/errors.ts';
import type { CoachContext } from './context.ts';

/** Seconds a client is told to wait before asking a switched-off coach again. */
const RETRY_AFTER_SECONDS = 300;

/**
 * The coach's switch (the `coach` feature flag, through the module's port):
 * when it is off for this user, everything that would talk to the model
 * (starting a conversation, a message, a suggestion) answers 503
 * SERVICE_UNAVAILABLE with Retry-After. Reading, deleting and the memory
 * settings stay open, so people keep control of what the coach holds.
 */
export async function assertCoachOn(ctx: CoachContext, userId: string): Promise<void> {
  if (await ctx.deps.isOn(ctx.platform, userId)) return;
  throw serviceUnavailable(RETRY_AFTER_SECONDS, 'The AI coach is switched off for now; try again later');
}
