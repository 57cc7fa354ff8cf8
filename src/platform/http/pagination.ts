import { Type } from 'typebox';
import { validationError } from './errors.ts';

/**
 * Opaque keyset cursors: the client sees base64url JSON, the repo sees the
 * sort key of the last row it returned. Keyset (not offset) so a page costs
 * the same at row 10 as at row 10 million.
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const PaginationQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'meta.nextCursor of the previous page' })),
});

export type CursorKey = Record<string, string | number>;

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor<K extends CursorKey>(
  cursor: string | undefined,
  fields: (keyof K)[],
): K | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    for (const field of fields) {
      const value = (parsed as Record<string, unknown>)[field as string];
      if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`missing ${String(field)}`);
    }
    return parsed as K;
  } catch {
    throw validationError('cursor is not valid', 'cursor');
  }
}

/**
 * Builds a page from `limit + 1` rows fetched by the repo: the extra row only
 * tells whether there is a next page.
 */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => CursorKey): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null;
  return { items, nextCursor };
}

export function isPage(value: unknown): value is Page<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as Page<unknown>).items) &&
    'nextCursor' in value
  );
}
