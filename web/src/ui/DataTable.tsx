import type { ReactNode } from 'react';

export interface Column<Row> {
  /** The column's header cell (`<th scope="col">`); also its React key, so unique in the table. */
  header: string;
  /** The column's cell for one row. */
  cell: (row: Row) => ReactNode;
  /** The column that names its row: its cells are row headers (`<th scope="row">`). */
  rowHeader?: boolean;
  /** A class on the column's cells (e.g. `wrap` for long text). */
  className?: string;
}

/**
 * A table of records read cell by cell: a caption that names it, column
 * headers with `scope="col"`, and, where a column names the row, row headers
 * with `scope="row"`, so a screen reader announces both for every cell.
 * Scrolling and card styling stay with the caller.
 */
export function DataTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  className,
}: {
  caption: ReactNode;
  columns: ReadonlyArray<Column<Row>>;
  rows: ReadonlyArray<Row>;
  rowKey: (row: Row) => string;
  className?: string;
}) {
  return (
    <table className={className}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th scope="col" key={column.header}>
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>
            {columns.map((column) =>
              column.rowHeader ? (
                <th scope="row" key={column.header} className={column.className}>
                  {column.cell(row)}
                </th>
              ) : (
                <td key={column.header} className={column.className}>
                  {column.cell(row)}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
