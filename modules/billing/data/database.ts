/** Row locks for Billing's writes, the same on SQLite and PostgreSQL. */
import type { QueryBuilder, Model } from 'objection';
import type { Dialect } from '../../../src/kernel/index.ts';

/** Locks the rows read until the transaction ends (PostgreSQL); SQLite already serialises writers. */
export function forUpdate(dialect: Dialect) {
  return <M extends Model, R>(query: QueryBuilder<M, R>) => {
    if (dialect === 'postgres') query.forUpdate();
  };
}

