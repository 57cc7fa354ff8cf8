import { validationError } from '../../platform/http/errors.ts';

const VARIABLE = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/** The variable names a template body uses, in order of first use. */
export function variablesIn(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(VARIABLE), (m) => m[1] as string))];
}

/**
 * Fills {{variables}} from the server's own values, then the client's. An
 * unknown variable is a 400 naming it, so a typo never reaches the partner.
 */
export function fillVariables(
  text: string,
  known: Record<string, string | null>,
  given: Record<string, string>,
) {
  const values: Record<string, string | null> = { ...known, ...given };
  for (const name of variablesIn(text)) {
    if (!(name in values)) {
      throw validationError(`Unknown template variable {{${name}}}`, `variables.${name}`);
    }
    if (values[name] === null) {
      throw validationError(
        `Template variable {{${name}}} has no value yet; pass it in variables`,
        `variables.${name}`,
      );
    }
  }
  return text.replace(VARIABLE, (_match, name: string) => values[name] as string);
}
