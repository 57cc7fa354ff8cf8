import type { AppModule } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { graphqlConfig } from './config.ts';
import type { GraphqlServices } from './context.ts';
import { graphqlRoutes } from './plugin.ts';

/**
 * GraphQL at /graphql: the design's schema over the same services as REST.
 * It owns no tables and no rules of its own; `services` are the love-notes
 * and users modules' public service interfaces.
 */
export type { GraphqlServices } from './context.ts';

export function graphqlModule(services: (platform: Platform) => GraphqlServices): AppModule {
  return {
    name: 'graphql',
    config: graphqlConfig,
    // Versioned by its schema, not by the URL.
    prefix: '',
    async routes(app, { platform }) {
      await app.register(graphqlRoutes, { platform, services: services(platform) });
    },
  };
}
