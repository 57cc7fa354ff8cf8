import CircuitBreaker from 'opossum';
import type { CoachConfig, Price, ProviderName } from './config.ts';

/**
 * The provider gateway: one small interface shaped like the Vercel AI SDK's
 * `streamText` (an async iterable of text deltas, usage at the end, an
 * AbortSignal that stops the call), and the fallback chain over it. Each
 * provider is tried in order; a provider that fails before its first token
 * (after its SDK's own retries on 408/409/429/5xx, or past the timeout) hands
 * over to the next, the offline coach last. A circuit breaker per provider
 * (opossum) skips one that keeps failing until its reset time has passed.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface StreamTextOptions {
  system: string;
  messages: ChatMessage[];
  maxOutputTokens: number;
  abortSignal: AbortSignal;
}

export type StreamPart = { type: 'text-delta'; text: string } | { type: 'finish'; usage: Usage };

export interface LanguageModel {
  readonly provider: ProviderName;
  readonly modelId: string;
  readonly price: Price;
  streamText(options: StreamTextOptions): AsyncIterable<StreamPart>;
}

/** A stream the chain opened: the provider that answered, and its parts (the first already received). */
export interface OpenedStream {
  provider: ProviderName;
  modelId: string;
  price: Price;
  parts: AsyncIterable<StreamPart>;
  /** Providers tried before this one, and why each was passed over. */
  skipped: { provider: ProviderName; reason: string }[];
}

export class ClientGone extends Error {
  constructor() {
    super('the client went away');
    this.name = 'ClientGone';
  }
}

/** cost in micro-USD: tokens × USD per million tokens. */
export const costOf = (usage: Usage, price: Price): number =>
  Math.round(usage.inputTokens * price.input + usage.outputTokens * price.output);

/** A rough token count for servers that report no usage (about four characters a token). */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

type Opener = (model: LanguageModel, options: StreamTextOptions) => Promise<OpenedIterator>;

interface OpenedIterator {
  first: IteratorResult<StreamPart>;
  iterator: AsyncIterator<StreamPart>;
  controller: AbortController;
}

/**
 * Starts the model's stream and waits for its first part, within `timeoutMs`.
 * The provider call gets its own controller, aborted by the client's signal
 * or by the timeout, so a slow provider is stopped, not just abandoned.
 */
function opener(timeoutMs: number): Opener {
  return async (model, options) => {
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.abortSignal.reason);
    options.abortSignal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => controller.abort(new Error(`no first token within ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      const iterator = model
        .streamText({ ...options, abortSignal: controller.signal })
        [Symbol.asyncIterator]();
      const first = await iterator.next();
      if (controller.signal.aborted) throw controller.signal.reason;
      return { first, iterator, controller };
    } catch (error) {
      controller.abort(error);
      options.abortSignal.removeEventListener('abort', onAbort);
      throw options.abortSignal.aborted ? new ClientGone() : error;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The rest of a stream after its first part, each next part within `timeoutMs` (else the call is aborted). */
async function* relay(opened: OpenedIterator, timeoutMs: number, clientSignal: AbortSignal) {
  if (!opened.first.done) yield opened.first.value;
  else return;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new Error(`no token for ${timeoutMs} ms`);
          opened.controller.abort(error);
          reject(error);
        }, timeoutMs);
      });
      try {
        const next = await Promise.race([opened.iterator.next(), idle]);
        if (next.done) return;
        yield next.value;
      } finally {
        clearTimeout(timer);
      }
    }
  } catch (error) {
    throw clientSignal.aborted ? new ClientGone() : error;
  } finally {
    // Stops the provider call when the consumer stops early (client gone, moderation).
    opened.controller.abort(new Error('stream closed'));
  }
}

export interface Gateway {
  models: LanguageModel[];
  /** Opens a stream on the first provider that answers; the offline coach never fails. */
  open(options: StreamTextOptions): Promise<OpenedStream>;
  breakerState(provider: ProviderName): 'closed' | 'open' | 'half-open';
}

export function createGateway(
  models: LanguageModel[],
  config: Pick<CoachConfig, 'timeoutMs' | 'breakerErrorPercent' | 'breakerResetMs'>,
): Gateway {
  const open = opener(config.timeoutMs);
  const breakers = new Map<
    ProviderName,
    CircuitBreaker<[LanguageModel, StreamTextOptions], OpenedIterator>
  >();
  for (const model of models) {
    if (model.provider === 'offline') continue;
    breakers.set(
      model.provider,
      new CircuitBreaker(open, {
        // The opener has its own timeout, which also aborts the provider call.
        timeout: false,
        errorThresholdPercentage: config.breakerErrorPercent,
        resetTimeout: config.breakerResetMs,
        rollingCountTimeout: 60_000,
        volumeThreshold: 3,
        // A client that went away says nothing about the provider.
        errorFilter: (error: unknown) => error instanceof ClientGone,
      }),
    );
  }
  return {
    models,
    breakerState(provider) {
      const breaker = breakers.get(provider);
      if (!breaker) return 'closed';
      return breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed';
    },
    async open(options) {
      const skipped: OpenedStream['skipped'] = [];
      for (const model of models) {
        if (options.abortSignal.aborted) throw new ClientGone();
        const breaker = breakers.get(model.provider);
        try {
          const opened = breaker ? await breaker.fire(model, options) : await open(model, options);
          return {
            provider: model.provider,
            modelId: model.modelId,
            price: model.price,
            parts: relay(opened, config.timeoutMs, options.abortSignal),
            skipped,
          };
        } catch (error) {
          if (error instanceof ClientGone || options.abortSignal.aborted) throw new ClientGone();
          skipped.push({ provider: model.provider, reason: (error as Error).message });
        }
      }
      throw new Error(
        `every provider failed: ${skipped.map((s) => `${s.provider}: ${s.reason}`).join('; ')}`,
      );
    },
  };
}
