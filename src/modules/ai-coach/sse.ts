import type { FastifyReply, FastifyRequest } from 'fastify';
import { openEventStream, sseFrame } from '../../platform/http/event-stream.ts';
import type { PreparedMessage } from './chat.ts';

/**
 * Streams a prepared reply as server-sent events: `delta` events as text is
 * released, then `done` with the reply's facts. The socket closing (the
 * client cancelled) aborts the provider call; the partial reply is kept as
 * `cancelled`. Errors before this point were ordinary envelope answers.
 */
export async function replySse(request: FastifyRequest, reply: FastifyReply, prepared: PreparedMessage) {
  const raw = openEventStream(request, reply);
  const controller = new AbortController();
  raw.once('close', () => {
    if (!raw.writableFinished) controller.abort(new Error('the client went away'));
  });
  try {
    const { content: _content, ...done } = await prepared.run({
      signal: controller.signal,
      delta: (text) => {
        if (!raw.destroyed) raw.write(sseFrame('delta', { text }));
      },
      onError: (error) => request.log.warn({ err: error }, 'coach reply interrupted'),
    });
    if (!raw.destroyed) raw.end(sseFrame('done', done));
  } catch (error) {
    request.log.error({ err: error }, 'coach stream failed');
    if (!raw.destroyed)
      raw.end(sseFrame('error', { code: 'INTERNAL', message: 'The reply failed, retry later' }));
  }
}
