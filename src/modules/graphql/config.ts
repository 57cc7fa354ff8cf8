import { configSection } from '../../platform/config.ts';

declare module '../../platform/config.ts' {
  interface ModuleConfigs {
    /** Limits of /graphql (docs/graphql.md). */
    graphql: { maxDepth: number; maxCost: number };
  }
}

/** `GRAPHQL_MAX_DEPTH`, `GRAPHQL_MAX_COST`. */
export const graphqlConfig = configSection('graphql', (r) => ({
  // 15 lets GraphiQL's introspection query through outside production; the schema's
  // own deepest selection is 4 today, and the cost limit bounds wide queries.
  maxDepth: r.int('GRAPHQL_MAX_DEPTH', 15, 2, 100),
  maxCost: r.int('GRAPHQL_MAX_COST', 5000, 10, 1_000_000),
}));
