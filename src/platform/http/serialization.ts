import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type SerializerFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildSerializer']
>;
type RouteSerializerCompiler = ReturnType<SerializerFactory>;

const selector = SerializerSelector();

/**
 * Fastify's `schemaController.compilersFactory.buildSerializer`: fast-json-stringify, as by
 * default, but each route's serializer is compiled on its first answer instead of at start.
 * Compiling all ~170 operations' response schemas cost about a second of CPU per app: every
 * process and every test file paid it, mostly for routes it never answers. The first answer
 * of a route pays its own compile once (a few milliseconds); a schema fast-json-stringify
 * cannot compile still fails that answer, and the OpenAPI lint and contract tests catch it
 * before it ships.
 */
export const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const compile = selector(externalSchemas, options) as RouteSerializerCompiler;
  return (route) => {
    let serialize: ((data: unknown) => string) | undefined;
    return (data: unknown) => {
      serialize ??= compile(route) as (data: unknown) => string;
      return serialize(data);
    };
  };
};
