import type { DocumentNode, GraphQLSchema } from 'graphql';
import { directiveEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { AppError, validationError } from '../../platform/http/errors.ts';

const estimators = [directiveEstimator(), simpleEstimator({ defaultComplexity: 1 })];

/**
 * The query cost limit: every field costs 1, and a list field costs its
 * selection times the page size it asks for (`@complexity` in the SDL).
 * Run before each execution rather than as a validation rule, so mercurius
 * keeps caching parsed and validated documents while the cost still follows
 * each request's variables. All operations of a document count together.
 */
export function assertAffordable(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  maxCost: number,
): void {
  let cost: number;
  try {
    cost = getComplexity({ schema, query: document, variables: variables ?? {}, estimators });
  } catch (error) {
    throw validationError(`The query cost could not be computed: ${(error as Error).message}`);
  }
  if (cost > maxCost) {
    throw new AppError(400, 'VALIDATION_ERROR', `The query costs ${cost}; at most ${maxCost} is allowed`);
  }
}
