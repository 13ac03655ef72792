/**
 * Bulk writes that happen only while a guard holds, all or nothing: the guard an UPDATE … RETURNING of the row
 * that says the work is still the caller's (an invoice run's counters and cursor, moved only while its lease is
 * held). On PostgreSQL the guard and every write are one statement of data-modifying CTEs, each write keeping
 * its rows only when the guard returned one, so outside a transaction a page of writes is one round trip and one
 * commit instead of BEGIN, a statement per table and COMMIT. SQLite runs them in turn in one write transaction.
 */
import type { Knex } from 'knex';
import type { BulkWrite, Dialect, SqlPart } from '../../kernel/index.ts';
import { bulkWrite, unnestInsert } from './bulkWrites.ts';
import { returning } from './leaseClaims.ts';
import { writeTransaction } from './writeTransaction.ts';

export async function guardedWrite<T>(
  knex: Knex,
  dialect: Dialect,
  trx: Knex.Transaction | null,
  guard: SqlPart,
  writes: readonly BulkWrite[],
): Promise<T[]> {
  const pending = writes.filter((write) => write.rows.length > 0);
  if (dialect === 'postgres') {
    const parts = pending.map((write) => unnestInsert(write, ' WHERE EXISTS (SELECT FROM guard)'));
    const result = await (trx ?? knex).raw(
      `WITH guard AS (${guard.sql})${parts.map((part, i) => `, write_${i} AS (${part.sql})`).join('')} SELECT * FROM guard`,
      [...(guard.bindings ?? []), ...parts.flatMap((part) => part.bindings)],
    );
    return returning<T>(dialect, result);
  }
  const work = async (t: Knex.Transaction) => {
    const rows = returning<T>(dialect, await t.raw(guard.sql, [...(guard.bindings ?? [])]));
    if (rows.length > 0) for (const write of pending) await bulkWrite(dialect, t, write);
    return rows;
  };
  return trx === null ? writeTransaction(knex, dialect, work) : work(trx);
}
