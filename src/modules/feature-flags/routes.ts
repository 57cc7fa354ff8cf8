import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf, requireAuth } from '../../platform/http/auth.ts';
import { ErrorResponse } from '../../platform/http/envelope.ts';
import type { Platform } from '../../platform/platform.ts';
import { evaluateAll } from './client.ts';
import { Responses } from './schemas.ts';

const errors = { '4xx': ErrorResponse };

/** GET /v1/feature-flags: the caller's evaluated flags, so the web app can gate its UI. */
export const flagRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.addHook('onRequest', requireAuth);

  app.get(
    '/feature-flags',
    {
      schema: {
        tags: ['feature-flags'],
        operationId: 'getMyFeatureFlags',
        summary:
          'Every feature flag evaluated for you, e.g. `{ flags: { coach: true, "new-inbox": false } }`',
        response: { 200: Responses.evaluated, ...errors },
      },
    },
    async (request) => ({ flags: await evaluateAll(platform, callerOf(request).id) }),
  );
};
