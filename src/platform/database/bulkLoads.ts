/**
 * Upserts of batch after batch into one table inside one transaction, at bulk-load speed (a file import:
 * there bulkUpsert's statements cost more than the rows' writes). PostgreSQL: each batch COPYed into a
 * temporary table made once per transaction (postgresCopyIn.ts), then one `INSERT … SELECT … ON CONFLICT`
 * from it. SQLite: one single-row upsert prepared on the transaction's connection, run for every row (as
 * fast there as 500-row statements, with nothing to assemble per batch).
 */
import type Database from 'better-sqlite3';
import type { Knex } from 'knex';
import type pg from 'pg';
import type { ColumnTypes, Dialect } from '../../kernel/index.ts';
import { checkConflictColumns, conflictBindings, into, onConflict, type Upsert } from './bulkWrites.ts';
import { copyIn, copyLine } from './postgresCopyIn.ts';
import { sqliteBindings } from './preparedSelect.ts';

type Rows = readonly Record<string, unknown>[];

/**
 * A batch is made ready first, without the database (PostgreSQL: its COPY text), so a caller can do that while
 * an earlier batch is written; then written. Its rows must not repeat a conflict key; they are written in order.
 */
interface Upserter<Batch> {
  prepare(rows: Rows): Batch;
  write(batch: Batch): Promise<void>;
}

export function bulkUpserter(dialect: Dialect, trx: Knex.Transaction, table: string, columns: ColumnTypes, on: Upsert): Upserter<unknown> {
  checkConflictColumns(table, columns, on);
  return dialect === 'postgres' ? postgresUpserter(trx, table, columns, on) : sqliteUpserter(trx, table, columns, on);
}

/** Temporary tables made in this process, each named apart (a transaction may load more than one). */
let staged = 0;

function postgresUpserter(trx: Knex.Transaction, table: string, columns: ColumnTypes, on: Upsert): Upserter<string> {
  const names = Object.keys(columns);
  const list = names.map(() => '??').join(', ');
  const staging = `pg_temp.seams_load_${++staged}`;
  const typed = names.map((column) => `?? ${columns[column]}`).join(', ');
  const create = trx.raw(`CREATE TEMPORARY TABLE ?? (ordinal integer, ${typed}) ON COMMIT DROP`, [staging, ...names]).toQuery();
  const copy = trx.raw(`COPY ?? (ordinal, ${list}) FROM STDIN`, [staging, ...names]).toQuery();
  // In the rows' order (writers that sort their keys alike never wait for each other in a circle), then
  // emptied for the next batch: one round trip, as one simple query.
  const upsert = trx
    .raw(`${into(names)} SELECT ${list} FROM ?? ORDER BY ordinal${onConflict(on)}; TRUNCATE ??`, [
      table,
      ...names,
      ...names,
      staging,
      ...conflictBindings(on),
      staging,
    ])
    .toQuery();
  let connection: pg.Client | null = null;
  return {
    prepare(rows) {
      const values: unknown[] = new Array(names.length + 1);
      let text = '';
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r]!;
        values[0] = r;
        for (let c = 0; c < names.length; c++) values[c + 1] = row[names[c]!];
        text += copyLine(values);
      }
      return text;
    },
    async write(text) {
      if (text === '') return;
      if (connection === null) {
        // A transaction's client answers its own connection: what runs on it runs inside the transaction.
        connection = (await trx.client.acquireConnection()) as pg.Client;
        await connection.query(create);
      }
      await copyIn(connection, copy, text);
      await connection.query(upsert);
    },
  };
}

function sqliteUpserter(trx: Knex.Transaction, table: string, columns: ColumnTypes, on: Upsert): Upserter<Rows> {
  const names = Object.keys(columns);
  const sql = trx
    .raw(`${into(names)} VALUES (${names.map(() => '\\?').join(', ')})${onConflict(on)}`, [table, ...names, ...conflictBindings(on)])
    .toQuery();
  let statement: Database.Statement<unknown[]> | null = null;
  return {
    prepare: (rows) => rows,
    async write(rows) {
      // A transaction's client answers its own connection; its prepare keeps the statement (sqliteStatements.ts).
      statement ??= ((await trx.client.acquireConnection()) as Database.Database).prepare<unknown[]>(sql);
      const values: unknown[] = new Array(names.length);
      for (const row of rows) {
        for (let c = 0; c < names.length; c++) values[c] = row[names[c]!] ?? null;
        statement.run(sqliteBindings(values as Knex.Value[]));
      }
    },
  };
}
