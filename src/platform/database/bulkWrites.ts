/**
 * Many rows in few statements, the same on SQLite and PostgreSQL (an invoice run's page of drafts, a
 * file of delivery reports). PostgreSQL: `INSERT … SELECT * FROM unnest(one array per column)`, a
 * parameter per column however many rows, each array of its declared type. SQLite: multi-row
 * `INSERT … VALUES (…), (…)` in chunks (Knex would compile a multi-row insert for SQLite into a
 * compound SELECT, capped at 500 rows).
 */
import type { Knex } from 'knex';
import type { BulkWrite, ColumnTypes, Dialect } from '../../kernel/index.ts';

/**
 * Rows per SQLite statement: at most 1,000, and about 6,500 bound values (SQLite allows 32,766).
 * The sizes measured before this helper: delivery reports (5 columns) 1,000 rows, drafts (13) 500.
 */
export const rowsPerStatement = (columns: number) => Math.max(1, Math.min(1_000, Math.floor(6_500 / columns)));

export interface Upsert {
  /** The columns of the unique key a row may already hold. */
  conflict: string[];
  /** The columns a row that exists takes from the new one. */
  update: string[];
}

type Rows = readonly Record<string, unknown>[];

export function bulkInsert(dialect: Dialect, trx: Knex.Transaction, table: string, columns: ColumnTypes, rows: Rows) {
  return bulkWrite(dialect, trx, { table, columns, rows });
}

export function bulkUpsert(dialect: Dialect, trx: Knex.Transaction, table: string, columns: ColumnTypes, rows: Rows, on: Upsert) {
  return bulkWrite(dialect, trx, { table, columns, rows, on });
}

export async function bulkWrite(dialect: Dialect, trx: Knex.Transaction, write: BulkWrite): Promise<void> {
  const { table, columns, rows, on } = checked(write);
  if (rows.length === 0) return;
  if (dialect === 'postgres') {
    const { sql, bindings } = unnestInsert(write);
    await trx.raw(sql, bindings);
    return;
  }
  const names = Object.keys(columns);
  const tuple = `(${names.map(() => '?').join(', ')})`;
  const chunkSize = rowsPerStatement(names.length);
  for (let i = 0; i < rows.length; i += chunkSize) {
    const chunk = rows.slice(i, i + chunkSize);
    const values = chunk.flatMap((row) => names.map((column) => value(row, column)));
    await trx.raw(`${into(names)} VALUES ${chunk.map(() => tuple).join(', ')}${onConflict(on)}`, [
      table,
      ...names,
      ...values,
      ...conflictBindings(on),
    ]);
  }
}

/** PostgreSQL: the whole write as one `INSERT … SELECT * FROM unnest(…)`, its rows kept only `where` that holds. */
export function unnestInsert(write: BulkWrite, where = ''): { sql: string; bindings: Knex.Value[] } {
  const { table, columns, rows, on } = checked(write);
  const names = Object.keys(columns);
  const arrays = names.map((column) => rows.map((row) => value(row, column)) as unknown as Knex.Value);
  const unnest = names.map((column) => `?::${columns[column]}[]`).join(', ');
  return {
    sql: `${into(names)} SELECT * FROM unnest(${unnest})${where}${onConflict(on)}`,
    bindings: [table, ...names, ...arrays, ...conflictBindings(on)],
  };
}

function checked(write: BulkWrite): BulkWrite {
  checkConflictColumns(write.table, write.columns, write.on);
  return write;
}

/** An upsert's conflict and update columns must be among those written. */
export function checkConflictColumns(table: string, columns: ColumnTypes, on: Upsert | undefined): void {
  for (const column of [...(on?.conflict ?? []), ...(on?.update ?? [])]) {
    if (!(column in columns)) throw new Error(`bulkUpsert into ${table}: ${column} is not among the columns written`);
  }
}

/** `INSERT INTO ?? (??, …)`, bound to the table and then the column names. */
export const into = (names: string[]) => `INSERT INTO ?? (${names.map(() => '??').join(', ')})`;

const value = (row: Record<string, unknown>, column: string) => (row[column] ?? null) as Knex.Value;

export function onConflict(on: Upsert | undefined): string {
  if (on === undefined) return '';
  const key = on.conflict.map(() => '??').join(', ');
  const update = on.update.length === 0 ? 'NOTHING' : `UPDATE SET ${on.update.map(() => '?? = excluded.??').join(', ')}`;
  return ` ON CONFLICT (${key}) DO ${update}`;
}

export function conflictBindings(on: Upsert | undefined): string[] {
  return on === undefined ? [] : [...on.conflict, ...on.update.flatMap((column) => [column, column])];
}
