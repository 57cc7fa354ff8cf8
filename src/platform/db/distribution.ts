/**
 * How each table would be placed on a Citus cluster (docs/scaling.md). The
 * platform only defines the shape; the map of every table lives at the
 * composition root (`src/distribution.ts`), and
 * `test/platform/citus-readiness.test.ts` checks it against the catalog of a
 * migrated database.
 */

/** A rule of the readiness check that a table is allowed to break, for a stated reason. */
export type DistributionRule =
  /** The distribution column is not part of the primary key (or the table has none). */
  | 'primary-key'
  /** A unique constraint or unique index leaves out the distribution column. */
  | 'unique'
  /** A foreign key to another distributed table does not carry the distribution column on both sides. */
  | 'foreign-key'
  /** The distribution column allows NULL (Citus refuses a row without one). */
  | 'not-null'
  /** A hot-path query reads or writes the table without filtering on its distribution column. */
  | 'hot-query';

export interface KnownException {
  rule: DistributionRule;
  /** The constraint or index name, or the hot query's label for `hot-query`. */
  name: string;
  /** Why it is so today. */
  reason: string;
  /** What changes before the table is distributed. */
  plan: string;
}

export type Placement =
  | {
      kind: 'distributed';
      /** `create_distributed_table(table, column, colocate_with => ...)`. */
      column: string;
      /**
       * Tables of one colocation group have their shards side by side, so joins
       * and foreign keys on the distribution column stay on one node. `user`
       * (hash of a user id) and `couple` (hash of a couple id) are the two
       * groups the domain needs; a lookup table keyed by something else names
       * its own group.
       */
      colocation: string;
      exceptions?: readonly KnownException[];
    }
  /** `create_reference_table`: small, read everywhere, written rarely (a copy on every node). */
  | { kind: 'reference'; why: string }
  /** Stays on the coordinator (a Citus local table or a separate database). */
  | { kind: 'local'; why: string };

/** Table name (schema-qualified outside `public`; `schema.*` for a whole schema) → placement. */
export type DistributionMap = Readonly<Record<string, Placement>>;

/**
 * The statements that distribute a migrated schema on Citus, in map order
 * (a table's foreign-key targets come before it). The first table of a
 * colocation group fixes its shard count; the others join its group.
 */
export function citusPlan(map: DistributionMap, shardCount = 1024): string {
  const lines: string[] = [];
  const firstOfGroup = new Map<string, string>();
  const quoted = (value: string) => `'${value.replaceAll("'", "''")}'`;
  for (const [table, placement] of Object.entries(map)) {
    if (placement.kind === 'reference') {
      lines.push(`select create_reference_table(${quoted(table)});`);
    } else if (placement.kind === 'distributed') {
      const first = firstOfGroup.get(placement.colocation);
      if (first === undefined) firstOfGroup.set(placement.colocation, table);
      const colocation =
        first === undefined
          ? `shard_count => ${shardCount}, colocate_with => 'none'`
          : `colocate_with => ${quoted(first)}`;
      lines.push(
        `select create_distributed_table(${quoted(table)}, ${quoted(placement.column)}, ${colocation}); -- ${placement.colocation}`,
      );
    } else {
      lines.push(`-- ${table}: stays on the coordinator`);
    }
  }
  return `${lines.join('\n')}\n`;
}
