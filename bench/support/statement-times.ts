import pg from 'pg';

/**
 * Execution time per statement in one database from pg_stat_statements (the bench's own
 * PostgreSQL loads it): `since(before)` gives what each statement cost between two readings, so a
 * soak window can name the statements whose cost grew.
 */
export type StatementTimes = Map<string, { calls: number; ms: number }>;

export async function readStatementTimes(adminUrl: string, database: string): Promise<StatementTimes> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ query: string; calls: string; ms: number }>(
      `select s.query, s.calls, s.total_exec_time as ms from pg_stat_statements s
       join pg_database d on d.oid = s.dbid where d.datname = $1`,
      [database],
    );
    const times: StatementTimes = new Map();
    for (const row of rows) {
      const seen = times.get(row.query) ?? { calls: 0, ms: 0 };
      times.set(row.query, { calls: seen.calls + Number(row.calls), ms: seen.ms + row.ms });
    }
    return times;
  } finally {
    await client.end();
  }
}

/** The `top` statements by execution time between the readings: `12.3 s (4.1 ms × 3000) select …`. */
export function costliest(before: StatementTimes, after: StatementTimes, top: number): string[] {
  return [...after]
    .map(([query, t]) => {
      const b = before.get(query) ?? { calls: 0, ms: 0 };
      return { query, calls: t.calls - b.calls, ms: t.ms - b.ms };
    })
    .filter((t) => t.calls > 0)
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top)
    .map(
      (t) =>
        `${(t.ms / 1000).toFixed(1)} s (${(t.ms / t.calls).toFixed(2)} ms × ${t.calls}) ${t.query.replace(/\s+/g, ' ').slice(0, 110)}`,
    );
}
