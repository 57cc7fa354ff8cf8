import type { FastifyBaseLogger, FastifyError } from 'fastify';
import { GraphQLError } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import { databaseErrorItem, FASTIFY_CLIENT_ERRORS } from '../../platform/http/error-handler.ts';
import { AppError, type ErrorCode, type ErrorItem } from '../../platform/http/errors.ts';

interface Described {
  status: number;
  code: ErrorCode;
  message: string;
  field?: string;
  /** Every problem, when one error holds several (VALIDATION_ERROR of an input). */
  items?: ErrorItem[];
  headers?: Record<string, string>;
  /** A fault of ours: logged, and its message replaced. */
  internal?: boolean;
}

interface GraphqlErrorJson {
  message: string;
  locations?: readonly { line: number; column: number }[];
  path?: readonly (string | number)[];
  extensions: { code: ErrorCode; field?: string; errors?: ErrorItem[] };
}

const INTERNAL: Described = {
  status: 500,
  code: 'INTERNAL',
  message: 'Something went wrong on our side',
  internal: true,
};

/** The same mapping as REST's error handler, for a cause that is not a GraphQL document problem. */
function describeCause(cause: Error): Described {
  if (cause instanceof AppError) {
    const [first] = cause.items;
    return {
      status: cause.status,
      code: cause.code,
      message: cause.message,
      ...(first?.field ? { field: first.field } : {}),
      ...(cause.items.length > 1 ? { items: cause.items } : {}),
      headers: cause.headers,
      internal: cause.status >= 500,
    };
  }
  const fastifyCode = (cause as FastifyError).code;
  const known = fastifyCode ? FASTIFY_CLIENT_ERRORS[fastifyCode] : undefined;
  if (known) return { status: known.status, code: known.code, message: known.message ?? cause.message };
  const database = databaseErrorItem(cause);
  if (database) return database;
  const status = (cause as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      status,
      code: status === 405 ? 'METHOD_NOT_ALLOWED' : 'VALIDATION_ERROR',
      message: cause.message,
    };
  }
  return INTERNAL;
}

/**
 * One error as mercurius hands it over, as one or more client errors: a
 * document that does not parse, validate, fit the depth limit or coerce its
 * variables arrives as one error holding the list (`originalError.errors`).
 */
function expand(
  error: GraphQLError,
  log: FastifyBaseLogger,
): Array<{ json: GraphqlErrorJson; described: Described }> {
  const cause = error.originalError as (Error & { errors?: unknown[]; statusCode?: number }) | undefined;
  if (cause && Array.isArray(cause.errors)) {
    const status = cause.statusCode ?? 400;
    const code: ErrorCode = status === 405 ? 'METHOD_NOT_ALLOWED' : 'VALIDATION_ERROR';
    return cause.errors.map((inner) => {
      const problem = inner as GraphQLError;
      const message = String(problem.message).replaceAll('`', '');
      return {
        described: { status, code, message },
        json: {
          message,
          ...(problem.locations ? { locations: problem.locations } : {}),
          extensions: { code },
        },
      };
    });
  }
  // A GraphQLError without a cause, once execution started, is a schema or resolver bug.
  const described = cause ? describeCause(cause) : INTERNAL;
  if (described.internal) log.error({ err: cause ?? error }, 'graphql: unhandled error');
  const message = described.internal ? INTERNAL.message : described.message;
  return [
    {
      described,
      json: {
        message,
        ...(error.locations ? { locations: error.locations } : {}),
        ...(error.path ? { path: error.path } : {}),
        extensions: {
          code: described.code,
          ...(described.field ? { field: described.field } : {}),
          ...(described.items ? { errors: described.items } : {}),
        },
      },
    },
  ];
}

/**
 * mercurius' errorFormatter: every error gets `extensions.code` from the
 * REST catalogue and nothing internal leaks. Status: 200 once execution
 * produced data (GraphQL over HTTP); without data, the status REST would
 * give the (first) error: 400 for a bad document, 401 without a token, ...
 */
export function formatErrors(
  execution: { data?: unknown; errors?: readonly GraphQLError[] },
  ctx: MercuriusContext,
): { statusCode: number; response: { data: unknown; errors: GraphqlErrorJson[] } } {
  const log = ctx.reply?.log ?? ctx.app.log;
  const expanded = (execution.errors ?? []).flatMap((error) =>
    expand(error instanceof GraphQLError ? error : new GraphQLError(String(error)), log),
  );
  for (const { described } of expanded) {
    if (described.headers && ctx.reply) ctx.reply.headers(described.headers);
  }
  const first = expanded[0]?.described;
  const statusCode = execution.data || !first ? 200 : first.status;
  if (statusCode === 401 && ctx.reply && !ctx.reply.hasHeader('www-authenticate')) {
    ctx.reply.header('www-authenticate', 'Bearer');
  }
  return { statusCode, response: { data: execution.data ?? null, errors: expanded.map((e) => e.json) } };
}
