import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ReadinessCheck } from '../platform.ts';
import { Enveloped } from './envelope.ts';
import { serviceUnavailable } from './errors.ts';

const exempt = {
  pressureHandler: () => undefined,
  rateLimit: false as const,
  concurrencyLimit: false as const,
  deadline: false as const,
};

/** Liveness (the process answers) and readiness (its dependencies answer). */
export const healthRoutes: FastifyPluginAsyncTypebox<{ checks: ReadinessCheck[] }> = async (app, opts) => {
  app.get(
    '/health',
    {
      config: exempt,
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process is up',
        response: { 200: Enveloped(Type.Object({ status: Type.Literal('ok') })) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: exempt,
      schema: {
        tags: ['operations'],
        summary: 'Readiness: database, and Redis/NATS when configured, answer',
        response: {
          200: Enveloped(
            Type.Object({ status: Type.Literal('ready'), checks: Type.Record(Type.String(), Type.String()) }),
          ),
        },
      },
    },
    async () => {
      const results = await Promise.all(
        opts.checks.map(async ({ name, check, optional }) => {
          try {
            const status = await withTimeout(check(), 2000);
            return [name, typeof status === 'string' ? status : 'ok', true] as const;
          } catch {
            return [
              name,
              optional ? 'unavailable (not required)' : 'unavailable',
              optional === true,
            ] as const;
          }
        }),
      );
      const failed = results.filter(([, , ok]) => !ok).map(([name]) => name);
      if (failed.length > 0) throw serviceUnavailable(5, `Not ready: ${failed.join(', ')} unavailable`);
      return {
        status: 'ready' as const,
        checks: Object.fromEntries(results.map(([name, status]) => [name, status])),
      };
    },
  );
};

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
