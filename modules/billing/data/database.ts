/** What Billing's writes need from the database beyond plain queries, the same on SQLite and PostgreSQL. */
import type { Knex } from 'knex';
import type { QueryBuilder, Model } from 'objection';
import type { Dialect, ModuleDatabase } from '../../../src/kernel/index.ts';

/**
 * A transaction that holds the write lock from its first statement. Knex opens
 * SQLite transactions with a deferred BEGIN, and a deferred transaction that
 * reads and then writes fails at once (SQLITE_BUSY, no waiting) when another
 * process wrote in between; a no-op write first makes it wait its turn, like
 * BEGIN IMMEDIATE. PostgreSQL needs nothing: rows are locked where read FOR UPDATE.
 */
export function writeTransaction<T>(db: ModuleDatabase, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.knex.transaction(async (trx) => {
    if (db.dialect === 'sqlite') await trx.raw('UPDATE invoice_numbers SET last = last WHERE 1 = 0');
    return work(trx);
  });
}

/** Locks the rows read until the transaction ends (PostgreSQL); SQLite already serialises writers. */
export function forUpdate(dialect: Dialect) {
  return <M extends Model, R>(query: QueryBuilder<M, R>) => {
    if (dialect === 'postgres') query.forUpdate();
  };
}

/** The rows of a raw statement with RETURNING, whichever driver ran it. */
export function returnedRows<T>(dialect: Dialect, result: unknown): T[] {
  return dialect === 'postgres' ? (result as { rows: T[] }).rows : (result as T[]);
}
