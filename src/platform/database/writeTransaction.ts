/**
 * A transaction that holds the database's write lock from its first statement.
 * Knex opens SQLite transactions with a deferred BEGIN, and a deferred
 * transaction that reads and then writes fails at once (SQLITE_BUSY, no
 * waiting) when another process wrote in between; a no-op write first makes it
 * wait its turn, like BEGIN IMMEDIATE, and what it reads afterwards is the
 * latest. PostgreSQL needs nothing here: rows are locked where they are read
 * FOR UPDATE, months where they are locked explicitly.
 */
import type { Knex } from 'knex';
import type { Dialect } from '../../kernel/index.ts';

export function writeTransaction<T>(knex: Knex, dialect: Dialect, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return knex.transaction(async (trx) => {
    // Knex has no BEGIN IMMEDIATE, and SQLite takes the lock only for a write to a table (not for CREATE TABLE IF NOT
    // EXISTS, nor a temporary table): the platform's migrations table, which the migrator keeps in every database.
    if (dialect === 'sqlite') await trx.raw('UPDATE knex_migrations SET id = id WHERE 1 = 0');
    return work(trx);
  });
}
