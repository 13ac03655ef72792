/**
 * Delivery reports arrive in bulk. Every row is checked before any is written
 * and every problem is answered at once. The rows' months are then locked
 * (shared: a write and Billing's close of the same month exclude each other),
 * rows in closed months refused, and all rows upserted by (ad unit, day) with
 * multi-row statements — never a query per row — inside one transaction.
 */
import type { Knex } from 'knex';
import { Strict, Type, monthOf, validator, type Clock, type Dialect, type ModuleDatabase } from '../../src/kernel/index.ts';
import { duplicateProblems, inRowOrder, MAX_MONTH_TOTAL, rowProblems, type DeliveryRow, type RowProblem } from './deliveryRules.ts';
import { deliveryRowsInvalid, periodClosed } from './errors.ts';
import { closedAmong, lockMonths, monthKey, splitMonthKey } from './monthLocks.ts';

export const MAX_DELIVERY_ROWS = 10_000;
export const UPSERT_CHUNK = 1_000;

/** Which publisher owns each of the given ad units (unknown ones are left out), or of every ad unit. */
export async function publishersOfAdUnits(knex: Knex, adUnitIds: string[] | 'all'): Promise<Map<string, string>> {
  const publisherOf = new Map<string, string>();
  const ids = adUnitIds === 'all' ? null : [...new Set(adUnitIds)];
  for (let i = 0; ids === null ? i === 0 : i < ids.length; i += 5_000) {
    const rows: { id: string; publisher_id: string }[] = await knex('ad_units')
      .join('apps', 'apps.id', 'ad_units.app_id')
      .modify((q) => ids && q.whereIn('ad_units.id', ids.slice(i, i + 5_000)))
      .select('ad_units.id', 'apps.publisher_id');
    for (const row of rows) publisherOf.set(row.id, row.publisher_id);
  }
  return publisherOf;
}

/**
 * Upserts by (ad unit, day), a later row for the same key replacing an earlier one, in key order
 * (two writers of the same rows then never wait for each other in a circle). PostgreSQL: one
 * `INSERT … SELECT FROM unnest(five arrays) ON CONFLICT … DO UPDATE` per batch — five parameters
 * however many rows. SQLite: multi-row `INSERT … VALUES (…), (…) ON CONFLICT …`, UPSERT_CHUNK rows
 * per statement (Knex would compile a multi-row insert for SQLite into a compound SELECT capped at 500 rows).
 */
export async function upsertRows(trx: Knex.Transaction, rows: DeliveryRow[], dialect: Dialect): Promise<void> {
  const latest = new Map<string, DeliveryRow>();
  for (const row of rows) latest.set(`${row.adUnitId} ${row.date}`, row);
  const unique = [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  if (unique.length === 0) return;
  const onConflict = `ON CONFLICT (ad_unit_id, day) DO UPDATE SET
       impressions = excluded.impressions, clicks = excluded.clicks, revenue_micros = excluded.revenue_micros`;
  if (dialect === 'postgres') {
    await trx.raw(
      `INSERT INTO delivery_reports (ad_unit_id, day, impressions, clicks, revenue_micros)
       SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[]) ${onConflict}`,
      [unique.map((r) => r.adUnitId), unique.map((r) => r.date), unique.map((r) => r.impressions), unique.map((r) => r.clicks), unique.map((r) => r.revenueMicros)],
    );
    return;
  }
  for (let i = 0; i < unique.length; i += UPSERT_CHUNK) {
    const chunk = unique.slice(i, i + UPSERT_CHUNK);
    const bindings = chunk.flatMap((r) => [r.adUnitId, r.date, r.impressions, r.clicks, r.revenueMicros]);
    await trx.raw(
      `INSERT INTO delivery_reports (ad_unit_id, day, impressions, clicks, revenue_micros)
       VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')} ${onConflict}`,
      bindings,
    );
  }
}

/** Sums compared exactly in SQL (PostgreSQL numeric; SQLite integers, whose own overflow is reported as well). */
const OVER_LIMIT = `
  SELECT a.publisher_id, substr(d.day, 1, 7) AS period
  FROM delivery_reports d JOIN ad_units u ON u.id = d.ad_unit_id JOIN apps a ON a.id = u.app_id
  WHERE a.publisher_id IN (SELECT value FROM json_each(?)) AND d.day BETWEEN ? AND ?
  GROUP BY a.publisher_id, substr(d.day, 1, 7)
  HAVING sum(d.revenue_micros) > ${MAX_MONTH_TOTAL} OR sum(d.impressions) > ${MAX_MONTH_TOTAL}`;

/** The written months (publisher month keys) whose revenue or impressions now pass MAX_MONTH_TOTAL. */
export async function monthsOverLimit(trx: Knex.Transaction, dialect: Dialect, keys: Set<string>): Promise<string[]> {
  const byPublisher = new Map<string, string[]>();
  for (const key of keys) {
    const { publisherId, period } = splitMonthKey(key);
    byPublisher.set(publisherId, [...(byPublisher.get(publisherId) ?? []), period]);
  }
  const publishers = [...byPublisher.keys()];
  const over: string[] = [];
  for (let i = 0; i < publishers.length; i += 1_000) {
    const page = publishers.slice(i, i + 1_000);
    const periods = page.flatMap((id) => byPublisher.get(id)!).sort();
    const sql = dialect === 'postgres' ? OVER_LIMIT.replace('SELECT value FROM json_each(?)', 'SELECT json_array_elements_text(?::json)') : OVER_LIMIT;
    let rows: { publisher_id: string; period: string }[];
    try {
      const result = await trx.raw(sql, [JSON.stringify(page), `${periods[0]}-01`, `${periods[periods.length - 1]}-31`]);
      rows = dialect === 'postgres' ? result.rows : result;
    } catch (error) {
      // SQLite stops a sum past 2^63: far past the limit, in one of these months.
      if (!/integer overflow/.test((error as Error).message)) throw error;
      rows = page.flatMap((id) => byPublisher.get(id)!.map((period) => ({ publisher_id: id, period })));
    }
    over.push(...rows.map((row) => monthKey(row.publisher_id, row.period)).filter((key) => keys.has(key)));
  }
  return over;
}

export function makeDeliveryReports({ db, clock }: { db: ModuleDatabase; clock: Clock }) {
  const envelope = validator(Strict({ rows: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_DELIVERY_ROWS }) }));

  return {
    /** All or nothing: 422 naming every problem (409 when the only one is a closed month), else every row upserted. */
    async put(body: unknown): Promise<{ accepted: number }> {
      const { rows } = envelope(body);
      const at = (index: number) => `/rows/${index}`;
      const now = clock.now();
      const problems: RowProblem[] = [];
      const good: { index: number; row: DeliveryRow }[] = [];
      rows.forEach((row, index) => {
        const found = rowProblems(row, index, at(index), now);
        if (found.length > 0) problems.push(...found);
        else good.push({ index, row: row as DeliveryRow });
      });
      problems.push(...duplicateProblems(good, at));

      return db.writeTransaction(async (trx) => {
        const publisherOf = await publishersOfAdUnits(trx, good.map(({ row }) => row.adUnitId));
        const monthOfRow = new Map<number, string>();
        for (const { index, row } of good) {
          const publisherId = publisherOf.get(row.adUnitId);
          if (publisherId === undefined) problems.push({ index, path: `${at(index)}/adUnitId`, message: 'is not a known ad unit' });
          else monthOfRow.set(index, monthKey(publisherId, monthOf(row.date)));
        }
        const keys = new Set(monthOfRow.values());
        await lockMonths(trx, db.dialect, keys, 'shared');
        const closed = await closedAmong(trx, keys);
        const closedRows = [...monthOfRow]
          .filter(([, key]) => closed.has(key))
          .map(([index, key]) => ({ index, path: `${at(index)}/date`, message: `falls in ${splitMonthKey(key).period}, already invoiced (closed)` }));
        if (problems.length > 0) throw deliveryRowsInvalid(inRowOrder([...problems, ...closedRows]));
        if (closedRows.length > 0) throw periodClosed(inRowOrder(closedRows));

        await upsertRows(trx, good.map(({ row }) => row), db.dialect);
        const over = new Set(await monthsOverLimit(trx, db.dialect, keys));
        if (over.size > 0) {
          throw deliveryRowsInvalid(
            inRowOrder(
              [...monthOfRow].filter(([, key]) => over.has(key)).map(([index, key]) => ({
                index,
                path: `${at(index)}/revenueMicros`,
                message: `would take ${splitMonthKey(key).period} of its publisher past ${MAX_MONTH_TOTAL} (revenue or impressions)`,
              })),
            ),
          );
        }
        return { accepted: rows.length };
      });
    },
  };
}

export type DeliveryReports = ReturnType<typeof makeDeliveryReports>;
