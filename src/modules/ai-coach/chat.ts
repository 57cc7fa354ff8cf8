import type { Static } from 'typebox';
import { newId } from '../../platform/ids.ts';
import { recordReferral, recordTokens, reserveMessage } from './budgets.ts';
import type { CoachContext } from './context.ts';
import { coachLocale, crisisText, MODERATED_TEXT, refusalText } from './crisis-content.ts';
import { assertCoachOn } from './gate.ts';
import { ClientGone, costOf, estimateTokens, type OpenedStream, type Usage } from './gateway.ts';
import { pushReply } from './live.ts';
import { memoryOf, rememberTopic } from './memory.ts';
import { topicOf } from './offline-coach.ts';
import * as repo from './repo.ts';
import { sourcesFor } from './retrieval.ts';
import { classify, moderate, refusalOf, type SafetyVerdict } from './safety.ts';
import type { ReplyView } from './schemas.ts';
import { ownConversation } from './service.ts';
import { contentContext, type MessageStatus, type Source } from './tables.ts';

export type Reply = Static<typeof ReplyView>;

/** Where a reply goes as it is made: SSE writes each delta, JSON collects them. */
export interface ReplySink {
  delta(text: string): void;
  /** Aborts when the client goes away: the provider call stops. */
  signal: AbortSignal;
  /** Told when a provider failed mid-reply (the reply is kept as `interrupted`). */
  onError?(error: unknown): void;
}

/** A message accepted for a reply: everything that can refuse it (404, 429) has run. */
export interface PreparedMessage {
  run(sink: ReplySink): Promise<Reply>;
}

const HISTORY_TURNS = 12;

const SYSTEM = `You are the One 2 One Love relationship coach, an AI (not a person, not a therapist).
Help one partner reflect on their relationship: reflect feelings back briefly, suggest one concrete evidence-based exercise, and end with one open follow-up question. Be warm and concise (under 150 words), and answer in the language the user writes in.
Never diagnose anyone, never advise on medication or doses, never give legal advice, and never help monitor, track, read the messages of, or pressure a partner. If someone may be in danger, tell them to contact local emergency services.`;

/**
 * Checks a message and reserves its budget; the caller streams only after
 * this resolves, so every refusal is an ordinary error answer. Crisis messages
 * pass without a budget: a person in danger is never told to come back tomorrow.
 */
export async function prepareMessage(
  ctx: CoachContext,
  userId: string,
  conversationId: string,
  content: string,
): Promise<PreparedMessage> {
  await assertCoachOn(ctx, userId);
  await ownConversation(ctx, userId, conversationId);
  const safety = classify(content);
  const refusal = safety.crisis ? null : refusalOf(content);
  const scope = { userId, conversationId };
  const generated = !safety.crisis && !refusal;
  // The reply's context is read while the budget is reserved: one round trip less before the first token.
  const context = generated ? readContext(ctx, scope, content) : undefined;
  context?.catch(() => {});
  if (generated) await reserveMessage(ctx, userId);
  return {
    run: async (sink) => {
      const userMessageId = newId();
      const saveUserMessage = () =>
        repo.insertMessage(ctx.db, scope, {
          id: userMessageId,
          role: 'user',
          kind: 'message',
          content: ctx.platform.encryption.encrypt(content, contentContext(userMessageId)),
          safetyCrisis: safety.crisis,
          safetyCategory: safety.category,
        });
      if (context)
        return generate(
          ctx,
          scope,
          await context,
          { id: userMessageId, save: saveUserMessage },
          content,
          safety,
          sink,
        );
      await saveUserMessage();
      const locale = coachLocale((await ctx.deps.profileOf(ctx.platform, userId))?.locale);
      const text = safety.category ? crisisText(safety.category, locale) : refusalText(refusal!);
      if (safety.category) await recordReferral(ctx, safety.category, locale);
      sink.delta(text);
      return storeReply(ctx, scope, userMessageId, {
        text,
        kind: safety.crisis ? 'crisis' : 'refusal',
        provider: 'safety',
        model: null,
        usage: { inputTokens: 0, outputTokens: 0 },
        cost: 0,
        sources: [],
        safety,
        status: 'complete',
      });
    },
  };
}

type ReplyContext = Awaited<ReturnType<typeof readContext>>;

/** What a provider is told: the recent turns, the memory summary, the sources it may cite. */
async function readContext(
  ctx: CoachContext,
  scope: { userId: string; conversationId: string },
  content: string,
) {
  const [turns, memory, sources] = await Promise.all([
    repo.recentTurns(ctx.db, scope, HISTORY_TURNS - 1),
    memoryOf(ctx, scope.userId),
    sourcesFor(ctx.platform, ctx.deps, content),
  ]);
  return { turns, memory, sources };
}

/**
 * A generated reply. The provider call starts as soon as its context is read
 * (history, memory, sources, in parallel, during the budget check); the user
 * message is written and the topic remembered meanwhile, off the path to the
 * first token.
 */
async function generate(
  ctx: CoachContext,
  scope: { userId: string; conversationId: string },
  { turns, memory, sources }: ReplyContext,
  userMessage: { id: string; save: () => Promise<unknown> },
  content: string,
  safety: SafetyVerdict,
  sink: ReplySink,
): Promise<Reply> {
  const { encryption } = ctx.platform;
  // Written while the provider starts; awaited before the reply is stored (it sorts after it by id).
  const written = Promise.all([userMessage.save(), rememberTopic(ctx, scope.userId, topicOf(content).topic)]);
  written.catch(() => {});
  const system = [
    SYSTEM,
    `What you know about this user: ${memory.summary}`,
    `Exercises and readings you may suggest: ${sources.map((s) => `"${s.title}" (${s.tags.join(', ')})`).join('; ')}.`,
  ].join('\n\n');
  const messages = [
    ...turns.map((t) => ({ role: t.role, content: encryption.decrypt(t.content, contentContext(t.id)) })),
    { role: 'user' as const, content },
  ];

  let opened: OpenedStream | undefined;
  let shown = '';
  let pending = '';
  let usage: Usage | undefined;
  let status: MessageStatus = 'complete';
  let moderated = false;
  // Text is released up to its last whitespace once the moderation check has seen it.
  const release = (final: boolean) => {
    if (moderated) return;
    const cut = final ? pending.length : Math.max(pending.lastIndexOf(' '), pending.lastIndexOf('\n')) + 1;
    if (cut <= 0) return;
    if (moderate(shown + pending).flagged) {
      moderated = true;
      sink.delta(MODERATED_TEXT);
      shown += MODERATED_TEXT;
      pending = '';
      return;
    }
    const out = pending.slice(0, cut);
    pending = pending.slice(cut);
    shown += out;
    sink.delta(out);
  };
  try {
    opened = await ctx.gateway.open({
      system,
      messages,
      maxOutputTokens: ctx.config.maxOutputTokens,
      abortSignal: sink.signal,
    });
    for await (const part of opened.parts) {
      if (part.type === 'finish') {
        usage = part.usage;
        break;
      }
      pending += part.text;
      release(false);
      // Moderation stopped the reply: leaving the loop aborts the provider call.
      if (moderated) break;
    }
    release(true);
    // An SDK may end its stream quietly when aborted (openai does): the client went away all the same.
    if (sink.signal.aborted) status = 'cancelled';
  } catch (error) {
    status = error instanceof ClientGone || sink.signal.aborted ? 'cancelled' : 'interrupted';
    if (status === 'interrupted') sink.onError?.(error);
  }
  const provider = opened?.provider ?? 'offline';
  const finalUsage = usage ?? {
    inputTokens: estimateTokens(system + messages.map((m) => m.content).join('')),
    outputTokens: estimateTokens(shown + pending),
  };
  const cost = opened ? costOf(finalUsage, opened.price) : 0;
  await written;
  await recordTokens(ctx, scope.userId, finalUsage.inputTokens + finalUsage.outputTokens, cost);
  return storeReply(ctx, scope, userMessage.id, {
    text: shown,
    kind: 'reply',
    provider,
    model: opened?.modelId ?? null,
    usage: finalUsage,
    cost,
    sources,
    safety,
    status,
  });
}

async function storeReply(
  ctx: CoachContext,
  scope: { userId: string; conversationId: string },
  userMessageId: string,
  reply: {
    text: string;
    kind: 'reply' | 'crisis' | 'refusal';
    provider: string;
    model: string | null;
    usage: Usage;
    cost: number;
    sources: Source[];
    safety: SafetyVerdict;
    status: MessageStatus;
  },
): Promise<Reply> {
  const id = newId();
  const row = await repo.insertMessage(ctx.db, scope, {
    id,
    role: 'assistant',
    kind: reply.kind,
    content: ctx.platform.encryption.encrypt(reply.text, contentContext(id)),
    status: reply.status,
    provider: reply.provider,
    model: reply.model,
    inputTokens: reply.usage.inputTokens,
    outputTokens: reply.usage.outputTokens,
    costMicroUsd: reply.cost,
    safetyCrisis: reply.safety.crisis,
    safetyCategory: reply.safety.category,
    sources: reply.sources,
  });
  pushReply(ctx.platform, row, reply.text);
  return {
    messageId: id,
    userMessageId,
    content: reply.text,
    status: reply.status,
    provider: reply.provider,
    model: reply.model,
    usage: { ...reply.usage, costMicroUsd: reply.cost },
    sources: reply.sources,
    safety: reply.safety,
  };
}
