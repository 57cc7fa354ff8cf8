import type { Compilable, CompiledQuery } from 'kysely';
import pg from 'pg';

/** One node of an `explain (format json)` plan, with the index it reads named by its parent's name. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
  /**
   * The index the node reads as the migration named it: a partition's index carries a
   * generated name (`love_notes_notes_p2026_12_scheduled_at_idx`), its root the migration's.
   */
  index?: string;
  [field: string]: unknown;
}

/**
 * The generic plan of a query as the app runs it: every Kysely query is a
 * named prepared statement (database.ts `preparingPool`), and after five
 * executions PostgreSQL may plan it once without its parameters' values and
 * keep that plan. A condition a partial index needs (`status = 'scheduled'`)
 * must then be a literal: as a parameter the generic plan cannot use the index.
 *
 * Prepares the query on a fresh connection, forces the generic plan and
 * explains an execution with the query's own parameters. Returns every node of
 * the plan, the root first.
 */
export async function genericPlan(
  url: string,
  query: Compilable<unknown> | CompiledQuery<unknown>,
): Promise<PlanNode[]> {
  const compiled = 'compile' in query ? query.compile() : query;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`prepare planned as ${compiled.sql}`);
    await client.query('set plan_cache_mode = force_generic_plan');
    // EXECUTE takes no bind parameters: the values go in as literals of the statement's types.
    const values = compiled.parameters.map((value) => literal(client, value));
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `explain (format json) execute planned(${values.join(', ')})`,
    );
    const nodes = flatten(rows[0]!['QUERY PLAN'][0].Plan);
    const names = [...new Set(nodes.flatMap((node) => node['Index Name'] ?? []))];
    const { rows: roots } = await client.query<{ name: string; root: string }>(
      `select c.relname as name, coalesce(pg_partition_root(c.oid), c.oid)::regclass::text as root
       from pg_class c where c.relname = any($1)`,
      [names],
    );
    const rootOf = new Map(roots.map((row) => [row.name, row.root]));
    for (const node of nodes) {
      if (node['Index Name']) node.index = rootOf.get(node['Index Name']) ?? node['Index Name'];
    }
    return nodes;
  } finally {
    await client.end();
  }
}

/** The plan in one line for an assertion's message: `Limit > Index Scan(love_notes_due) > ...`. */
export function describePlan(nodes: PlanNode[]): string {
  return nodes
    .map(
      (node) =>
        `${node['Node Type']}${node.index ? `(${node.index})` : node['Relation Name'] ? `[${node['Relation Name']}]` : ''}`,
    )
    .join(' > ');
}

/** The nodes that read this index (by the migration's name, whichever partition). */
export function readsOf(nodes: PlanNode[], index: string): PlanNode[] {
  return nodes.filter((node) => node.index === index);
}

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}

function literal(client: pg.Client, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (typeof value === 'string') return client.escapeLiteral(value);
  if (value instanceof Date) return client.escapeLiteral(value.toISOString());
  // An array (the `unnest(…)` batches) as PostgreSQL's array text; its cast in the statement types it.
  if (Array.isArray(value)) {
    const element = (item: unknown) =>
      item === null || item === undefined
        ? 'NULL'
        : `"${String(item instanceof Date ? item.toISOString() : item).replace(/["\\]/g, '\\$&')}"`;
    return client.escapeLiteral(`{${value.map(element).join(',')}}`);
  }
  throw new Error(`genericPlan: no literal for a parameter of type ${typeof value} (${String(value)})`);
}
