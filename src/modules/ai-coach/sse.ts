import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PreparedMessage } from './chat.ts';

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Streams a prepared reply as server-sent events: `delta` events as text is
 * released, then `done` with the reply's facts. The socket closing (the
 * client cancelled) aborts the provider call; the partial reply is kept as
 * `cancelled`. Errors before this point were ordinary envelope answers.
 */
export async function replySse(request: FastifyRequest, reply: FastifyReply, prepared: PreparedMessage) {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    // What hooks set (CORS, security headers) goes out too.
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  raw.flushHeaders();
  const controller = new AbortController();
  raw.once('close', () => {
    if (!raw.writableFinished) controller.abort(new Error('the client went away'));
  });
  try {
    const { content: _content, ...done } = await prepared.run({
      signal: controller.signal,
      delta: (text) => {
        if (!raw.destroyed) raw.write(event('delta', { text }));
      },
      onError: (error) => request.log.warn({ err: error }, 'coach reply interrupted'),
    });
    if (!raw.destroyed) raw.end(event('done', done));
  } catch (error) {
    request.log.error({ err: error }, 'coach stream failed');
    if (!raw.destroyed)
      raw.end(event('error', { code: 'INTERNAL', message: 'The reply failed, retry later' }));
  }
}
