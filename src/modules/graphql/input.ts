import type { Static, TSchema } from 'typebox';
import { AppError, type ErrorItem } from '../../platform/http/errors.ts';

/**
 * TypeBox's compiler (about 300 modules) is loaded, and each schema compiled, on the first
 * GraphQL argument checked, not at start: most processes (and test files) never need it.
 */
let compiler: Promise<typeof import('typebox/compile')> | undefined;
const loadCompiler = () => {
  compiler ??= import('typebox/compile');
  return compiler;
};

/**
 * Checks a GraphQL argument against the REST route's own TypeBox schema, so
 * both surfaces accept exactly the same input; a refusal is VALIDATION_ERROR
 * naming the field (`input.body`; `argument` '' for top-level arguments), never a
 * database error.
 */

export function inputChecker<T extends TSchema>(schema: T, argument: string) {
  let compiled: ReturnType<typeof import('typebox/compile')['Compile']> | undefined;
  return async (value: unknown): Promise<Static<T>> => {
    compiled ??= (await loadCompiler()).Compile(schema);
    // graphql-js builds input objects from literals without a prototype; hand services plain ones.
    const plain = value !== null && typeof value === 'object' ? { ...value } : value;
    if (compiled.Check(plain)) return plain as Static<T>;
    const items: ErrorItem[] = [];
    for (const issue of compiled.Errors(plain)) {
      const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
      const field = [argument, path].filter(Boolean).join('.') || 'input';
      // anyOf reports each branch and then itself; the first message per field says enough.
      if (items.some((item) => item.field === field)) continue;
      items.push({ code: 'VALIDATION_ERROR', message: `${field} ${issue.message}`, field });
    }
    const first = items[0] ?? {
      code: 'VALIDATION_ERROR',
      message: `${argument || 'input'} is not valid`,
      field: argument || 'input',
    };
    throw new AppError(400, 'VALIDATION_ERROR', first.message, { items: items.length > 0 ? items : [first] });
  };
}
