import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

type SchemaValidatorFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']
>;

import { FORMATS } from './text.ts';

/**
 * Request validation. Query strings, path parameters and headers are text,
 * so their values are coerced to the schema's types (`?limit=10` is a
 * number). A JSON body already has types: it is validated as sent, so
 * `{"body":12345}` or `{"discoverable":"false"}` is a 400 naming the field,
 * never quietly "12345" or false. JSON bodies must also be well-formed
 * Unicode: a lone surrogate ("\ud800") cannot be stored or sent back faithfully.
 */
export const AJV_OPTIONS = {
  customOptions: {
    removeAdditional: false,
    coerceTypes: 'array',
    useDefaults: true,
    formats: FORMATS,
  },
} satisfies FastifyServerOptions['ajv'];

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };
interface RouteDefinition {
  schema: unknown;
  method: string;
  url: string;
  httpPart?: string;
}
type Compile = (route: RouteDefinition) => Validate;
type ValidatorFactory = (externalSchemas: unknown, options: { customOptions?: object }) => Compile;

const pool = AjvCompiler() as unknown as ValidatorFactory;
const LONE_SURROGATE = /\p{Cs}/u;

/** The JSON pointer of the first string (value or key) with a lone surrogate. */
function illFormedAt(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? at : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = illFormedAt(value[i], `${at}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key)) return at;
    const found = illFormedAt(item, `${at}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

function wellFormed(validate: Validate): Validate {
  const checked: Validate = (data) => {
    if (!validate(data)) {
      checked.errors = validate.errors;
      return false;
    }
    const at = illFormedAt(data, '');
    if (at === undefined) {
      checked.errors = null;
      return true;
    }
    checked.errors = [
      {
        keyword: 'wellFormed',
        instancePath: at,
        schemaPath: '#',
        params: {},
        message: 'must be well-formed Unicode (no lone surrogate)',
      },
    ];
    return false;
  };
  return checked;
}

/**
 * A validator compiled on its first use, not when the route is registered: compiling every
 * operation's schemas cost more than a second of CPU per app (every process, every test
 * file), mostly for routes it never serves. The first request of a route pays its compile.
 */
function compiledOnFirstUse(compile: () => Validate): Validate {
  let validate: Validate | undefined;
  const lazy: Validate = (data) => {
    validate ??= compile();
    const valid = validate(data);
    lazy.errors = validate.errors;
    return valid;
  };
  return lazy;
}

/** Fastify's `schemaController.compilersFactory.buildValidator`: strict bodies, coerced URL parts. */
export const buildValidator: SchemaValidatorFactory = ((externalSchemas, options) => {
  const coercing = pool(externalSchemas, options);
  const strict = pool(externalSchemas, {
    ...options,
    customOptions: { ...options.customOptions, coerceTypes: false },
  });
  return (route) =>
    compiledOnFirstUse(() => (route.httpPart === 'body' ? wellFormed(strict(route)) : coercing(route)));
}) as ValidatorFactory as unknown as SchemaValidatorFactory;
