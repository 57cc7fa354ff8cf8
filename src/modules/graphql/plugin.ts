import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import mercurius from 'mercurius';
import type { Platform } from '../../platform/platform.ts';
import type { GraphqlContext, GraphqlServices } from './context.ts';
import { assertAffordable } from './cost.ts';
import { formatErrors } from './errors.ts';
import { LoveNoteLoaders } from './resolvers/love-note.ts';
import { Mutation } from './resolvers/mutation.ts';
import { Query } from './resolvers/query.ts';
import { User } from './resolvers/user.ts';

const schema = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

/**
 * POST/GET /graphql (and GraphiQL at /graphiql outside production). The
 * platform's hooks apply as to any route: bearer auth, rate limits, body
 * limit, overload shedding. Hidden from the OpenAPI document.
 */
export async function graphqlRoutes(
  app: FastifyInstance,
  { platform, services }: { platform: Platform; services: GraphqlServices },
) {
  const { config } = platform;
  const production = config.nodeEnv === 'production';

  app.addHook('onRoute', (route) => {
    // GraphQL answers in its own `{ data, errors }` shape, not the REST envelope.
    // The OpenAPI hook (platform/http/openapi.ts) ran first and filled in enveloped
    // error answers; none of them applies here, so no response schema at all.
    route.config = { ...route.config, rawBody: true };
    const { response: _enveloped, ...schema } = route.schema ?? {};
    route.schema = { ...schema, hide: true };
  });

  await app.register(mercurius, {
    schema,
    resolvers: { Query, Mutation, User } as never,
    loaders: { LoveNote: LoveNoteLoaders } as never,
    context: (request): Partial<GraphqlContext> => ({ user: request.user, services }),
    queryDepth: config.graphql.maxDepth,
    validationRules: production ? [NoSchemaIntrospectionCustomRule] : [],
    graphiql: !production,
    errorFormatter: formatErrors as never,
  });

  app.graphql.addHook('preExecution', (schema, document, _ctx, variables) => {
    assertAffordable(schema, document, variables, config.graphql.maxCost);
  });
}
