import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local fake of the OpenAI (chat completions, streamed) and Anthropic
 * (messages, streamed) APIs on 127.0.0.1, for the real SDKs pointed at it by
 * baseURL. Each API replays scripted answers in order (then a default
 * reply): a stream of text chunks with usage at the end, an error status
 * (429/500 with the provider's error body), or a stream that drops its
 * connection after some chunks. It records every request and notices when a
 * client closed a stream before its end (cancellation).
 */
export interface Script {
  /** An error answer instead of a stream. */
  status?: number;
  chunks?: string[];
  usage?: { input: number; output: number };
  /** Destroy the socket after this many chunks. */
  dropAfter?: number;
  /** Wait between chunks (the first comes at once). */
  delayMs?: number;
  /** Wait before the first chunk, headers already sent (a provider that stalls). */
  firstDelayMs?: number;
}

export interface RecordedRequest {
  api: 'openai' | 'anthropic';
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface FakeProviders {
  openaiURL: string;
  anthropicURL: string;
  script(api: 'openai' | 'anthropic', ...scripts: Script[]): void;
  /** What an API answers once its scripts are used up (a benchmark holds streams open with it). */
  setDefault(script: Script): void;
  requests: RecordedRequest[];
  /** Streams whose client went away before the last chunk. */
  cancelled: number;
  /** Resolves when the next stream is cancelled by its client. */
  nextCancel(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_CHUNKS = [
  'Hello ',
  'from ',
  'the ',
  'fake ',
  'provider. ',
  'What ',
  'do ',
  'you ',
  'think?',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startFakeProviders(options: { record?: boolean } = {}): Promise<FakeProviders> {
  const record = options.record ?? true;
  const queues = { openai: [] as Script[], anthropic: [] as Script[] };
  const requests: RecordedRequest[] = [];
  let fallback: Script = {};
  let cancelWaiters: (() => void)[] = [];
  const state = { cancelled: 0 };

  const readBody = async (req: IncomingMessage) => {
    let data = '';
    for await (const chunk of req) data += chunk;
    return data ? (JSON.parse(data) as Record<string, unknown>) : {};
  };

  const sse = (res: ServerResponse, api: 'openai' | 'anthropic', name: string, data: unknown) =>
    res.write(
      api === 'openai'
        ? `data: ${JSON.stringify(data)}\n\n`
        : `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`,
    );

  async function answer(api: 'openai' | 'anthropic', req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    if (record) requests.push({ api, headers: req.headers, body });
    const script = queues[api].shift() ?? fallback;
    if (script.status) {
      // The SDKs honour retry-after-ms: retries stay fast in tests.
      res.writeHead(script.status, { 'content-type': 'application/json', 'retry-after-ms': '5' });
      res.end(
        JSON.stringify(
          api === 'openai'
            ? { error: { message: `fake ${script.status}`, type: 'server_error', code: null } }
            : {
                type: 'error',
                error: {
                  type: script.status === 429 ? 'rate_limit_error' : 'api_error',
                  message: `fake ${script.status}`,
                },
              },
        ),
      );
      return;
    }
    const chunks = script.chunks ?? DEFAULT_CHUNKS;
    const usage = script.usage ?? { input: 42, output: chunks.length };
    let finished = false;
    res.on('close', () => {
      if (!finished) {
        state.cancelled++;
        const waiters = cancelWaiters;
        cancelWaiters = [];
        for (const w of waiters) w();
      }
    });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const model = String(body.model);
    if (api === 'anthropic') {
      sse(res, api, 'message_start', {
        type: 'message_start',
        message: {
          id: 'msg_fake',
          type: 'message',
          role: 'assistant',
          content: [],
          model,
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: usage.input, output_tokens: 1 },
        },
      });
      sse(res, api, 'content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      });
    }
    for (const [i, text] of chunks.entries()) {
      if (script.dropAfter !== undefined && i >= script.dropAfter) {
        finished = true;
        // What was written reaches the client first: the drop is mid-stream, not before it.
        await sleep(50);
        res.socket?.destroy();
        return;
      }
      if (script.delayMs && i > 0) await sleep(script.delayMs);
      if (script.firstDelayMs && i === 0) await sleep(script.firstDelayMs);
      if (res.destroyed) return;
      if (api === 'openai') {
        sse(res, api, '', {
          id: 'chatcmpl-fake',
          object: 'chat.completion.chunk',
          created: 1,
          model,
          choices: [{ index: 0, delta: { content: text }, finish_reason: null }],
        });
      } else {
        sse(res, api, 'content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text },
        });
      }
    }
    if (api === 'openai') {
      sse(res, api, '', {
        id: 'chatcmpl-fake',
        object: 'chat.completion.chunk',
        created: 1,
        model,
        choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
      });
      sse(res, api, '', {
        id: 'chatcmpl-fake',
        object: 'chat.completion.chunk',
        created: 1,
        model,
        choices: [],
        usage: {
          prompt_tokens: usage.input,
          completion_tokens: usage.output,
          total_tokens: usage.input + usage.output,
        },
      });
      res.write('data: [DONE]\n\n');
    } else {
      sse(res, api, 'content_block_stop', { type: 'content_block_stop', index: 0 });
      sse(res, api, 'message_delta', {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: usage.output },
      });
      sse(res, api, 'message_stop', { type: 'message_stop' });
    }
    finished = true;
    res.end();
  }

  const server: Server = createServer((req, res) => {
    const api =
      req.url === '/v1/chat/completions'
        ? 'openai'
        : req.url?.startsWith('/v1/messages')
          ? 'anthropic'
          : null;
    if (!api || req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    answer(api, req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    openaiURL: `http://127.0.0.1:${port}/v1`,
    anthropicURL: `http://127.0.0.1:${port}`,
    script(api, ...scripts) {
      queues[api].push(...scripts);
    },
    setDefault(script) {
      fallback = script;
    },
    requests,
    get cancelled() {
      return state.cancelled;
    },
    nextCancel: () => new Promise<void>((resolve) => cancelWaiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads a server-sent event stream into its events (until it ends). */
export function parseSse(text: string): { event: string; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() && !block.startsWith(':'))
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? 'null';
      return { event, data: JSON.parse(data) as unknown };
    });
}
