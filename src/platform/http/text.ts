import { Type } from 'typebox';

type StringOptions = NonNullable<Parameters<typeof Type.String>[0]>;

/**
 * A string a PostgreSQL text column can hold. JSON allows "\u0000" but
 * PostgreSQL refuses NUL in text, so without this check such a value is a
 * database error (a 500) instead of a 400 naming the field.
 */
export const Text = (options: StringOptions = {}) => Type.String({ pattern: '^[^\\u0000]*$', ...options });
