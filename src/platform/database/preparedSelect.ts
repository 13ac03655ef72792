/**
 * Reads kept prepared, for the paths every request takes: SQLite statements cached per connection
 * (Knex's better-sqlite3 client prepares each anew), PostgreSQL statements named per connection.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Knex } from 'knex';

/** Prepared statements kept per SQLite connection (least recently used dropped first). */
const STATEMENTS_PER_CONNECTION = 200;

interface SqliteStatement {
  reader: boolean;
  all(bindings: unknown[]): unknown[];
  raw(on: boolean): SqliteStatement;
  columns(): { name: string }[];
  run(bindings: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

interface KnexQuery {
  sql: string;
  bindings?: unknown[];
  options?: { safeIntegers?: boolean; [FIXED_COLUMNS]?: boolean };
  response?: unknown;
  context?: { lastID: number | bigint; changes: number };
}

const BetterSqlite3Client = createRequire(import.meta.url)('knex/lib/dialects/better-sqlite3/index.js') as new (config: Knex.Config) => {
  _query(connection: SqliteConnection, query: KnexQuery): Promise<KnexQuery>;
  _formatBindings(bindings: unknown[] | undefined): unknown[];
};

/**
 * Knex's better-sqlite3 client prepares every statement anew, which costs as much as
 * running a small query; this one keeps each connection's prepared statements by SQL
 * text (SQLite re-prepares a kept statement by itself when the schema changes).
 */
const keptStatements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

/**
 * A query option: the SQL names its result columns (no `*`), so they cannot change while its
 * statement is kept. Its rows are then read as arrays and made objects here, with the names read
 * once: better-sqlite3 sets each column of each row object through the V8 API, which costs about
 * a third of a small read (an invoice page: 75 → 48 µs).
 */
const FIXED_COLUMNS = 'seamsFixedColumns';
const columnNames = new WeakMap<SqliteStatement, string[] | null>();

function fixedColumnRows(statement: SqliteStatement, bindings: unknown[]): unknown[] {
  let names = columnNames.get(statement);
  if (names === undefined) {
    names = statement.columns().map((column) => column.name);
    // An own property named __proto__ cannot be made by assignment: such a statement stays as it is.
    if (names.includes('__proto__')) names = null;
    else statement.raw(true);
    columnNames.set(statement, names);
  }
  if (names === null) return statement.all(bindings);
  const rows = statement.all(bindings) as unknown[][];
  const objects: Record<string, unknown>[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const values = rows[r]!;
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = values[c];
    objects[r] = row;
  }
  return objects;
}

// Kept by connection, not on the client: Knex runs a transaction's queries on a copy of the client.
export class StatementCachingClient extends BetterSqlite3Client {
  override async _query(connection: SqliteConnection, query: KnexQuery): Promise<KnexQuery> {
    if (!query.sql || !connection || query.options?.safeIntegers !== undefined) return super._query(connection, query);
    let kept = keptStatements.get(connection);
    if (!kept) keptStatements.set(connection, (kept = new Map()));
    let statement = kept.get(query.sql);
    if (statement) {
      kept.delete(query.sql); // re-inserted below: the Map's order is the recency order
    } else {
      statement = connection.prepare(query.sql);
      if (kept.size >= STATEMENTS_PER_CONNECTION) kept.delete(kept.keys().next().value!);
    }
    kept.set(query.sql, statement);
    const bindings = this._formatBindings(query.bindings);
    if (statement.reader) {
      // Once read as arrays a kept statement stays so, whichever query of the same SQL text comes next.
      const fixed = query.options?.[FIXED_COLUMNS] === true || columnNames.has(statement);
      query.response = fixed ? fixedColumnRows(statement, bindings) : statement.all(bindings);
      return query;
    }
    const result = statement.run(bindings);
    query.response = result;
    query.context = { lastID: result.lastInsertRowid, changes: result.changes };
    return query;
  }
}

/**
 * A read of fixed SQL text (one of a few shapes, `?` only as bindings), kept prepared on both databases
 * and run without Knex's query compiler and runner: for the paths every request takes. SQLite: the
 * statement cache above, rows read as arrays. PostgreSQL: a named statement on each connection, run
 * on a connection of the Knex pool (Knex's runner costs as much CPU as pg itself for a small read).
 * The SQL must name its columns, not `*`, so a kept statement keeps its shape when a column is added.
 */
export async function selectPrepared<T>(knex: Knex, sql: string, bindings: Knex.Value[]): Promise<T[]> {
  if (knex.client.dialect !== 'postgresql') {
    const rows: unknown = await knex.raw(sql, bindings).options({ [FIXED_COLUMNS]: true });
    return rows as T[];
  }
  if (knex.isTransaction) {
    const result: { rows: T[] } = await knex.raw(sql, bindings);
    return result.rows;
  }
  const statement = postgresStatement(sql);
  const connection: PgConnection = await knex.client.acquireConnection();
  try {
    return (await connection.query<T>({ name: statement.name, text: statement.text, values: bindings })).rows;
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

interface PgConnection {
  query<T>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
}

const postgresStatements = new Map<string, { name: string; text: string }>();

/** PostgreSQL names a prepared statement per connection (the same text, the same name) and numbers its parameters. */
function postgresStatement(sql: string): { name: string; text: string } {
  let statement = postgresStatements.get(sql);
  if (statement === undefined) {
    let n = 0;
    statement = { name: `seams_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`, text: sql.replace(/\?/g, () => `$${++n}`) };
    postgresStatements.set(sql, statement);
  }
  return statement;
}
