import {
  type Compilable,
  type CompiledQuery,
  createQueryId,
  type Kysely,
  type QueryResult,
  type Transaction,
} from 'kysely';

/** Where a parameter goes in a template: the compiled query holds this object in its place. */
class Slot {
  constructor(readonly name: string) {}
}

interface Compiled {
  sql: string;
  parameters: readonly unknown[];
  query: CompiledQuery['query'];
}

export interface QueryTemplate<DB, P, R> {
  /** Runs the query of this shape with these values. */
  (db: Kysely<DB> | Transaction<DB>, params: P, shape?: string): Promise<QueryResult<R>>;
  /** The query a call would send, without sending it (plan tests prepare and explain it). */
  compiled(db: Kysely<DB>, params: P, shape?: string): CompiledQuery<R>;
}

/**
 * A query built with Kysely once per shape and then only bound: the hot paths
 * (a love-note send, an inbox page) paid for building and compiling the same
 * query on every request, about 5% of their CPU.
 *
 * `build(db, p, shape)` builds the query as usual, passing the values of the
 * call as `p.<name>` straight to the builder (`.where('id', '=', p.id)`,
 * `.values({ id: p.id })`, `.limit(p.limit)`). Built the first time a shape is
 * asked for, each `p.<name>` is a placeholder that compiles to a parameter;
 * each later call only puts the call's values in those places. Anything that
 * changes the text of the query (an optional filter, a box) belongs in
 * `shape`, which names one compiled text each. A placeholder that does not
 * reach the parameters as is (`new Date(p.at)`, `p.x ?? 1`, `if (p.flag)`)
 * would freeze a wrong value into the template, so building throws instead.
 * The text is the same as the builder's: the prepared statement it names is
 * the same (database.ts `preparingPool`).
 */
export function queryTemplate<DB, P extends object, R>(
  build: (db: Kysely<DB>, p: P, shape: string) => Compilable<R>,
): QueryTemplate<DB, P, R> {
  const compiled = new Map<string, Compiled>();
  const compile = (db: Kysely<DB>, shape: string): Compiled => {
    const used = new Set<string>();
    const placeholders = new Proxy({} as P, {
      get(_target, name) {
        if (typeof name !== 'string') return undefined;
        used.add(name);
        return new Slot(name);
      },
    });
    const query = build(db, placeholders, shape).compile();
    const reached = new Set(query.parameters.flatMap((value) => (value instanceof Slot ? [value.name] : [])));
    for (const name of used) {
      if (!reached.has(name))
        throw new Error(`queryTemplate: p.${name} was used other than as a value, so it cannot be bound`);
    }
    return { sql: query.sql, parameters: query.parameters, query: query.query };
  };
  const bound = (db: Kysely<DB>, params: P, shape: string): CompiledQuery<R> => {
    let template = compiled.get(shape);
    if (template === undefined) {
      template = compile(db, shape);
      compiled.set(shape, template);
    }
    const values = params as Record<string, unknown>;
    const parameters = template.parameters.map((value) =>
      value instanceof Slot ? values[value.name] : value,
    );
    return { sql: template.sql, parameters, query: template.query, queryId: createQueryId() };
  };
  const run = (db: Kysely<DB> | Transaction<DB>, params: P, shape = '') =>
    db.executeQuery<R>(bound(db, params, shape));
  return Object.assign(run, {
    compiled: (db: Kysely<DB>, params: P, shape = '') => bound(db, params, shape),
  });
}
