import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  onResponseHookHandler,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import { serviceUnavailable } from '../http/errors.ts';
import { routeOf } from '../http/route-of.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: no handler deadline (health checks, whose own work is bounded). */
    deadline?: false;
  }
  interface FastifyRequest {
    /** This request's deadline timer and, once asked for, its signal (see deadlineSignal). */
    deadlineState: DeadlineState | null;
  }
}

interface DeadlineState {
  timer: NodeJS.Timeout | null;
  expired: boolean;
  controller: AbortController | null;
}

/**
 * A deadline for every route's whole lifecycle: past it the client gets 503
 * SERVICE_UNAVAILABLE with Retry-After, and the request's deadline signal
 * (deadlineSignal) aborts so work done for it can stop.
 *
 * Written here rather than with Fastify's `handlerTimeout`, which we used
 * before: Fastify 5.12 aborts `request.signal` when the *request* stream
 * closes, and a request with a body closes as soon as the body is read
 * (fastify/fastify#6725, #7033, both open), so every POST had its signal
 * aborted before the handler ran, and every request paid an AbortController,
 * a close listener and a DOMException with its stack trace (7% of a love-note
 * send's JavaScript in the bench/love-notes.ts profile). Here a request pays
 * one timer; the controller exists only for handlers that ask for it.
 */
export const requestDeadline = fp(
  async (app: FastifyInstance, opts: { timeoutMs: number }) => {
    app.decorateRequest('deadlineState', null);
    if (opts.timeoutMs <= 0) return;

    const expire = (request: FastifyRequest, reply: FastifyReply, state: DeadlineState) => {
      state.timer = null;
      state.expired = true;
      state.controller?.abort(new Error(`deadline of ${opts.timeoutMs} ms passed`));
      // Answered meanwhile, hijacked (WebSocket, SSE) or abandoned by the client: nothing to send.
      if (reply.sent || reply.raw.destroyed) return;
      request.log.warn({ route: routeOf(request).url }, 'request timed out');
      reply.send(serviceUnavailable(1, 'The request took too long, retry later'));
    };
    const start: onRequestHookHandler = (request, reply, done) => {
      const state: DeadlineState = { timer: null, expired: false, controller: null };
      state.timer = setTimeout(expire, opts.timeoutMs, request, reply, state).unref();
      request.deadlineState = state;
      done();
    };
    const stop: onResponseHookHandler = (request, _reply, done) => {
      const state = request.deadlineState;
      if (state?.timer) clearTimeout(state.timer);
      done();
    };

    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.config?.deadline === false) return;
      route.onRequest = [start, ...[route.onRequest ?? []].flat()];
      route.onResponse = [...[route.onResponse ?? []].flat(), stop];
    });
  },
  { name: 'request-deadline' },
);

/**
 * An AbortSignal for work done on behalf of this request: it aborts when the
 * request's deadline passes or the client goes away before its answer. Made on
 * first use, so requests whose handlers never ask pay nothing for it.
 */
export function deadlineSignal(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  request.deadlineState ??= { timer: null, expired: false, controller: null };
  const state = request.deadlineState;
  if (state.controller) return state.controller.signal;
  const controller = new AbortController();
  state.controller = controller;
  if (state.expired) controller.abort(new Error('the deadline has passed'));
  // The response's close, not the request's: a request stream closes once its body is read.
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished && !controller.signal.aborted)
      controller.abort(new Error('the client went away'));
  });
  return controller.signal;
}
