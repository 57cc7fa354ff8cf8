import { ApiError, type DataOf, retryAfterSeconds } from '@one2one/client';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { getAccessToken, refreshSession } from '../api.ts';

type Reply = DataOf<'/v1/coach/conversations/{id}/messages', 'post'>;
/** The `done` event: the reply's facts without its text (the deltas carried it). */
export type ReplyDone = Omit<Reply, 'content'>;

export interface StreamOptions {
  signal: AbortSignal;
  onDelta(text: string): void;
}

function post(conversationId: string, content: string, signal: AbortSignal): Promise<Response> {
  const token = getAccessToken();
  return fetch(`/v1/coach/conversations/${encodeURIComponent(conversationId)}/messages`, {
    method: 'POST',
    signal,
    headers: {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      'x-request-id': crypto.randomUUID(),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ content }),
  });
}

async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as {
    errors?: ApiError['errors'];
    meta?: { requestId?: string };
  } | null;
  return new ApiError(
    response.status,
    body?.errors ?? [{ code: `HTTP_${response.status}`, message: response.statusText || 'The coach failed' }],
    body?.meta?.requestId,
    retryAfterSeconds(response.headers.get('retry-after')),
  );
}

/**
 * Sends a message and reads the coach's reply as server-sent events. EventSource
 * cannot POST, so this is fetch with a stream reader: each `delta` goes to
 * `onDelta` as it arrives, `done` resolves. Aborting the signal closes the
 * stream, which stops the provider call; the API keeps the partial reply as
 * `cancelled`, so the caller simply reloads the messages. Errors before the
 * stream starts (400, 404, 429 budget) are envelope answers, thrown as ApiError.
 */
export async function streamReply(
  conversationId: string,
  content: string,
  { signal, onDelta }: StreamOptions,
): Promise<ReplyDone> {
  let response = await post(conversationId, content, signal);
  if (response.status === 401 && (await refreshSession())) {
    response = await post(conversationId, content, signal);
  }
  if (!response.ok || !response.body) throw await errorOf(response);

  const events = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  try {
    for (;;) {
      const { value, done } = await events.read();
      if (done) break;
      if (value.event === 'delta') onDelta((JSON.parse(value.data) as { text: string }).text);
      else if (value.event === 'done') return JSON.parse(value.data) as ReplyDone;
      else if (value.event === 'error') {
        const failure = JSON.parse(value.data) as { code: string; message: string };
        throw new ApiError(502, [failure]);
      }
    }
  } finally {
    events.releaseLock();
  }
  throw new ApiError(0, [{ code: 'NETWORK_ERROR', message: 'The reply stopped before it was complete' }]);
}
