/** Many rows in few statements, the same on SQLite and PostgreSQL (an invoice run writes a page of drafts at once). */
import type { Knex } from 'knex';
import type { Dialect } from '../../../src/kernel/index.ts';

/** Rows per multi-row INSERT on SQLite: 500 × 13 columns stays far below SQLite's 32,766 bound values. */
const INSERT_CHUNK = 500;

/**
 * Multi-row inserts. PostgreSQL: `INSERT … SELECT * FROM unnest(one array per column)`, a
 * parameter per column however many rows. SQLite: `INSERT … VALUES (…), (…)` in chunks
 * (Knex would compile a multi-row insert for SQLite into a compound SELECT, capped at 500 rows).
 */
export async function insertRows(trx: Knex.Transaction, dialect: Dialect, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const value = (row: Record<string, unknown>, column: string) => (row[column] ?? null) as Knex.Value;
  if (dialect === 'postgres') {
    // Integer columns take bigint[] and text-like ones text[] (assignment casts); a column of nulls only has no
    // array type to name, so such rows take the VALUES form below.
    const arrayType = (value: unknown) => (typeof value === 'number' ? 'bigint' : typeof value === 'string' ? 'text' : null);
    const types = columns.map((column) => arrayType(rows.find((row) => row[column] != null)?.[column]));
    if (!types.includes(null)) {
      await trx.raw(`INSERT INTO ?? (${columns.map(() => '??').join(', ')}) SELECT * FROM unnest(${types.map((type) => `?::${type}[]`).join(', ')})`, [
        table,
        ...columns,
        ...columns.map((column) => rows.map((row) => value(row, column)) as unknown as Knex.Value),
      ]);
      return;
    }
  }
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK);
    await trx.raw(`INSERT INTO ?? (${columns.map(() => '??').join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`, [
      table,
      ...columns,
      ...chunk.flatMap((row) => columns.map((column) => value(row, column))),
    ]);
  }
}
