import { type Kysely, sql } from 'kysely';

/**
 * Many rows quickly, for plan tests: inserts `count` copies of each row of
 * `table` that `where` selects (SQL over the source row `s`), with the columns
 * in `set` computed instead of copied (SQL over `s` and the copy's number `g`,
 * 1 to count). Every column is copied unless set, so a row made through the
 * app, with all its columns right, stands for thousands; generated columns are
 * left to the database. Unique columns (ids) must be in `set`.
 */
export async function cloneRows(
  // biome-ignore lint/suspicious/noExplicitAny: any table of any module
  db: Kysely<any>,
  table: string,
  options: { where: string; count: number; set: Record<string, string> },
): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select column_name as name from information_schema.columns
    where table_schema = 'public' and table_name = ${table} and is_generated = 'NEVER'
    order by ordinal_position`.execute(db);
  const columns = rows.map((row) => row.name);
  for (const name of Object.keys(options.set)) {
    if (!columns.includes(name)) throw new Error(`cloneRows: ${table} has no column ${name}`);
  }
  const values = columns.map((name) => options.set[name] ?? `s."${name}"`);
  await sql
    .raw(`insert into ${table} (${columns.map((name) => `"${name}"`).join(', ')})
      select ${values.join(', ')} from ${table} s, generate_series(1, ${options.count}) g
      where ${options.where}`)
    .execute(db);
}
