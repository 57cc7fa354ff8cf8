import type { Platform } from '../../platform/platform.ts';
import type { AppModule } from '../index.ts';
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
    // Versioned by its schema, not by the URL.
    prefix: '',
    async routes(app, { platform }) {
      await app.register(graphqlRoutes, { platform, services: services(platform) });
    },
  };
}
