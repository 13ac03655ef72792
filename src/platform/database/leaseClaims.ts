/**
 * Rows claimed under a lease (the outbox's batches, Billing's invoice runs): one UPDATE takes the
 * rows that are free or whose lease lapsed, so two claimers never take the same row. PostgreSQL
 * skips rows another claim holds (FOR UPDATE SKIP LOCKED) instead of waiting for them; SQLite
 * serialises writers, so its claims take turns.
 */
import type { Knex } from 'knex';
import type { Dialect, LeaseClaim } from '../../kernel/index.ts';

/** The rows of a raw statement with RETURNING: pg answers a result with `rows`, better-sqlite3 the rows. */
export function returning<T>(dialect: Dialect, result: unknown): T[] {
  return dialect === 'postgres' ? (result as { rows: T[] }).rows : (result as T[]);
}

export async function claimWithLease<T>(knex: Knex, dialect: Dialect, claim: LeaseClaim): Promise<T[]> {
  const skipLocked = dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  const assignments = Object.keys(claim.set);
  const claimable = claim.claimable.bindings ?? [];
  const pick = claim.pick?.bindings ?? [];
  const table = claim.as === undefined ? claim.table : `${claim.table} AS ${claim.as}`;
  const result = await knex.raw(
    `UPDATE ${table} SET ${assignments.map(() => '?? = ?').join(', ')}
     WHERE ${claim.key} IN (
       SELECT ${claim.key} FROM ${table}
       WHERE (${claim.claimable.sql}) AND (${claim.pick?.sql ?? '1 = 1'})
       ORDER BY ${claim.order} LIMIT ?${skipLocked})
     AND (${claim.claimable.sql})
     RETURNING ${claim.returning}`,
    [...assignments.flatMap((column) => [column, claim.set[column]!]), ...claimable, ...pick, claim.limit, ...claimable],
  );
  return returning<T>(dialect, result);
}
