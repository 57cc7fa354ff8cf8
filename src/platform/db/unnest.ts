import { type RawBuilder, sql } from 'kysely';

/** The element types a batch column is sent as (one array parameter each). */
export type ColumnType = 'uuid' | 'text' | 'int' | 'bigint' | 'boolean' | 'jsonb' | 'timestamptz';

/** A column of a batch: its type and how to read its value from a row. */
export type BatchColumn<R> = readonly [type: ColumnType, value: (row: R) => unknown];

export interface UnnestedRows {
  /** The column names, comma separated: `insert into t (${u.columns}) select * from ${u.from}`. */
  columns: RawBuilder<unknown>;
  /** `unnest($1::uuid[], $2::text[], …) as <alias>(<columns>)`: one row per input row. */
  from: RawBuilder<unknown>;
}

/**
 * Rows as one array parameter per column, for a batch insert (or a join)
 * whose statement text is the same whatever the number of rows: PostgreSQL
 * plans it once per connection and nothing is compiled per call, where a
 * VALUES list is a new text for each batch size. `columns` is in the table's
 * order and fixed per call site (names and types are written into the text).
 */
export function unnestRows<R>(
  rows: readonly R[],
  columns: Readonly<Record<string, BatchColumn<R>>>,
  alias = 'u',
): UnnestedRows {
  const names = Object.keys(columns);
  const arrays = Object.values(columns).map(([type, value]) => sql`${rows.map(value)}::${sql.raw(type)}[]`);
  const list = sql.join(names.map((name) => sql.id(name)));
  return {
    columns: list,
    from: sql`unnest(${sql.join(arrays)}) as ${sql.id(alias)}(${list})`,
  };
}
