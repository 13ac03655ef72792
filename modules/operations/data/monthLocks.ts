/**
 * A publisher's month is the unit that delivery writes and Billing's close
 * exclude each other on: a write either lands before the close (and the close
 * sees it) or finds the month closed. On PostgreSQL writes take the month's
 * advisory lock shared (writes run side by side) and a close takes it
 * exclusively, on every instance; what a transaction reads after taking the
 * lock is the latest. On SQLite every write transaction already holds the
 * database's one write lock (db.writeTransaction), which serialises the same.
 */
import type { Knex } from 'knex';
import type { Dialect } from '../../../src/kernel/index.ts';

/** `<publisherId> <YYYY-MM>`: one publisher's month. */
export const monthKey = (publisherId: string, period: string) => `${publisherId} ${period}`;

export function splitMonthKey(key: string): { publisherId: string; period: string } {
  const [publisherId, period] = key.split(' ') as [string, string];
  return { publisherId, period };
}

/** Held until the transaction ends. Shared locks never wait for each other, so lock order cannot deadlock. */
export async function lockMonths(trx: Knex.Transaction, dialect: Dialect, keys: Iterable<string>, mode: 'shared' | 'exclusive'): Promise<void> {
  if (dialect !== 'postgres') return;
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return;
  const lock = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await trx.raw(`SELECT ${lock}(hashtextextended('operations.month ' || k, 0)) FROM unnest(?::text[]) AS k`, [sorted as unknown as Knex.Value]);
}

/** Which of the given months are closed; read after locking them. */
export async function closedAmong(trx: Knex.Transaction, keys: Iterable<string>): Promise<Set<string>> {
  const wanted = new Set(keys);
  const publishers = [...new Set([...wanted].map((key) => splitMonthKey(key).publisherId))];
  const closed = new Set<string>();
  for (let i = 0; i < publishers.length; i += 5_000) {
    const rows: { publisher_id: string; period: string }[] = await trx('month_closes')
      .whereIn('publisher_id', publishers.slice(i, i + 5_000))
      .whereNotNull('invoice_id')
      .select('publisher_id', 'period');
    for (const row of rows) {
      const key = monthKey(row.publisher_id, row.period);
      if (wanted.has(key)) closed.add(key);
    }
  }
  return closed;
}
