import { type TSchemaOptions, type TUnsafe, Type } from 'typebox';

/**
 * A union of string literals built from a list (e.g. a table's `as const`
 * values): the JSON schema is `Type.Union(values.map(Type.Literal))`, and its
 * static type is the list's members (a mapped array alone would type as never).
 */
export function LiteralUnion<const T extends readonly [string, ...string[]]>(
  values: T,
  options?: TSchemaOptions,
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>(
    Type.Union(
      values.map((value) => Type.Literal(value)),
      options,
    ),
  );
}
