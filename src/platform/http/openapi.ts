import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorEnvelopeSchema } from './envelope.ts';

/** OpenAPI 3.1 generated from the route schemas, served at /v1/openapi.json and browsable at /docs. */
export const openapi = fp(
  async (app: FastifyInstance) => {
    app.addSchema(ErrorEnvelopeSchema);
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'One 2 One Love API',
          version: '1.0.0',
          description:
            'Every response uses the envelope `{ success, data, errors, meta }`. Errors carry stable UPPER_SNAKE codes.',
        },
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { url: '/v1/openapi.json' } });
    app.get('/v1/openapi.json', { schema: { hide: true }, config: { rawBody: true } }, async () =>
      app.swagger(),
    );
  },
  { name: 'openapi' },
);
