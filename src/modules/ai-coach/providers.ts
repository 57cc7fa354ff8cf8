import type { CoachConfig } from './config.ts';
import { estimateTokens, type LanguageModel, type StreamPart, type StreamTextOptions } from './gateway.ts';

/**
 * The SDK client, made on first use: the SDKs are loaded only by a process that talks to a
 * provider (together about 430 modules, a second of start-up under the TypeScript loader).
 */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    made.catch(() => {
      made = undefined;
    });
    return made;
  };
}

/**
 * OpenAI chat completions through the official SDK. `baseURL` makes it any
 * OpenAI-compatible server (vLLM, llama.cpp server, Ollama, LM Studio); with
 * no key, no Authorization header is sent. The SDK retries 408, 409, 429 and
 * 5xx itself (`maxRetries`, with backoff and Retry-After).
 */
export function openaiModel(config: CoachConfig): LanguageModel {
  const { apiKey, baseURL, model, price } = config.openai;
  const client = once(async () => {
    const { default: OpenAISdk } = await import('openai');
    return new OpenAISdk({
      apiKey: apiKey ?? 'no-key',
      baseURL: baseURL ?? 'https://api.openai.com/v1',
      maxRetries: config.maxRetries,
      timeout: config.timeoutMs,
      // A self-hosted server without a key: the header is left out, not sent empty.
      ...(apiKey ? {} : { defaultHeaders: { Authorization: null } }),
    });
  });
  return {
    provider: 'openai',
    modelId: model,
    price,
    async *streamText(options: StreamTextOptions): AsyncIterable<StreamPart> {
      const stream = await (await client()).chat.completions.create(
        {
          model,
          stream: true,
          stream_options: { include_usage: true },
          max_completion_tokens: options.maxOutputTokens,
          messages: [{ role: 'system', content: options.system }, ...options.messages],
        },
        { signal: options.abortSignal },
      );
      let text = '';
      let usage: { inputTokens: number; outputTokens: number } | undefined;
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta?.content;
        if (delta) {
          text += delta;
          yield { type: 'text-delta', text: delta };
        }
        if (chunk.usage) {
          usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
        }
      }
      yield {
        type: 'finish',
        usage: usage ?? {
          inputTokens: estimateTokens(options.system + options.messages.map((m) => m.content).join('')),
          outputTokens: estimateTokens(text),
        },
      };
    },
  };
}

/** Claude through the official Anthropic SDK (Messages API, streamed); `baseURL` configurable. */
export function anthropicModel(config: CoachConfig): LanguageModel {
  const { apiKey, baseURL, model, price } = config.anthropic;
  const client = once(async () => {
    const { default: AnthropicSdk } = await import('@anthropic-ai/sdk');
    return new AnthropicSdk({
      apiKey: apiKey ?? null,
      ...(baseURL ? { baseURL } : {}),
      maxRetries: config.maxRetries,
      timeout: config.timeoutMs,
    });
  });
  return {
    provider: 'anthropic',
    modelId: model,
    price,
    async *streamText(options: StreamTextOptions): AsyncIterable<StreamPart> {
      const stream = await (await client()).messages.create(
        {
          model,
          stream: true,
          max_tokens: options.maxOutputTokens,
          system: options.system,
          messages: options.messages,
        },
        { signal: options.abortSignal },
      );
      let inputTokens = 0;
      let outputTokens = 0;
      for await (const event of stream) {
        if (event.type === 'message_start') {
          inputTokens = event.message.usage.input_tokens;
          outputTokens = event.message.usage.output_tokens;
        } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
          yield { type: 'text-delta', text: event.delta.text };
        } else if (event.type === 'message_delta') {
          outputTokens = event.usage.output_tokens;
          if (event.usage.input_tokens != null) inputTokens = event.usage.input_tokens;
        }
      }
      yield { type: 'finish', usage: { inputTokens, outputTokens } };
    },
  };
}
