/** What Billing's writes need from the database beyond plain queries, the same on SQLite and PostgreSQL. */
import type { QueryBuilder, Model } from 'objection';
import type { Dialect } from '../../../src/kernel/index.ts';

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
