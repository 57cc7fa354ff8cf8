import pg from 'pg';

/**
 * Counts the SQL statements this process sends whose text matches `pattern`,
 * while `run` runs; the queries still go to the real database. For N+1
 * checks: compare the count for a small and a large page.
 */
export async function countQueries(pattern: RegExp, run: () => Promise<unknown>): Promise<number> {
  const original = pg.Client.prototype.query;
  let count = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : first?.text;
    if (text && pattern.test(text)) count++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await run();
  } finally {
    pg.Client.prototype.query = original;
  }
  return count;
}
