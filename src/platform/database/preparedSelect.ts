/**
 * Reads kept prepared, for the paths every request takes (the token check, the invoice list): run
 * without Knex's query compiler and runner, on a connection of the Knex pool. SQLite: the
 * connection's kept statements, rows read as arrays (sqliteStatements.ts). PostgreSQL: a named
 * statement on each connection, parsed and planned once (Knex's runner costs as much CPU as pg
 * itself for a small read). Inside a transaction the read runs on it, through Knex.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Knex } from 'knex';
import { selectFixedColumns } from './sqliteStatements.ts';

/**
 * A read of fixed SQL text (one of a few shapes, `?` only as bindings), kept prepared on both databases.
 * The SQL must name its columns, not `*`, so a kept statement keeps its shape when a column is added.
 */
export async function selectPrepared<T>(knex: Knex, sql: string, bindings: readonly Knex.Value[]): Promise<T[]> {
  const postgres = knex.client.dialect === 'postgresql';
  if (knex.isTransaction) {
    const result: unknown = await knex.raw(sql, bindings);
    return postgres ? (result as { rows: T[] }).rows : (result as T[]);
  }
  const connection: unknown = await knex.client.acquireConnection();
  try {
    if (!postgres) return selectFixedColumns(connection as Database.Database, sql, sqliteBindings(bindings)) as T[];
    const statement = postgresStatement(sql);
    return (await (connection as PgConnection).query<T>({ name: statement.name, text: statement.text, values: bindings })).rows;
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

/** What Knex does to bindings for better-sqlite3, which binds neither dates nor booleans. */
export function sqliteBindings(bindings: readonly Knex.Value[]): unknown[] {
  return bindings.map((value) => (value instanceof Date ? value.valueOf() : typeof value === 'boolean' ? Number(value) : value));
}

interface PgConnection {
  query<T>(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: T[] }>;
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
