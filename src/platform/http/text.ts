import emojiRegex from 'emoji-regex';
import { Type } from 'typebox';

type StringOptions = NonNullable<Parameters<typeof Type.String>[0]>;

/**
 * A string a PostgreSQL text column can hold. JSON allows "\u0000" but
 * PostgreSQL refuses NUL in text, so without this check such a value is a
 * database error (a 500) instead of a 400 naming the field. (Lone surrogates
 * are refused for every body field by the validator: validation.ts.)
 */
export const Text = (options: StringOptions = {}) => Type.String({ pattern: '^[^\\u0000]*$', ...options });

/** Free text a person writes (a note, a name): like Text, and not only whitespace. */
export const NonBlankText = (options: StringOptions = {}) =>
  // Leading whitespace, then one visible character, then anything but NUL (linear to match).
  Type.String({ minLength: 1, ...options, pattern: '^[^\\u0000\\S]*[^\\s\\u0000][^\\u0000]*$' });

// emoji-regex follows Unicode's RGI emoji list (skin tones, ZWJ sequences, flags, keycaps).
const ONE_EMOJI = new RegExp(`^(?:${emojiRegex().source})$`);

/** True when the value is exactly one RGI emoji sequence. */
export const isOneEmoji = (value: string): boolean => ONE_EMOJI.test(value);

/** Custom string formats, known to the request validator and the OpenAPI document. */
export const FORMATS = { emoji: isOneEmoji };
