/** The delivery_reports table as the API's and the CSV import's writes use it. */
import type { Knex } from 'knex';
import type { ColumnTypes, ModuleDatabase } from '../../../src/kernel/index.ts';
import { MAX_MONTH_TOTAL, type DeliveryRow } from '../deliveryRules.ts';
import { monthKey, splitMonthKey } from './monthLocks.ts';

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

/** delivery_reports as written: the columns and their types (PostgreSQL binds each as an array of its type). */
const COLUMNS: ColumnTypes = { ad_unit_id: 'text', day: 'text', impressions: 'bigint', clicks: 'bigint', revenue_micros: 'bigint' };

const ON = { conflict: ['ad_unit_id', 'day'], update: ['impressions', 'clicks', 'revenue_micros'] };

/**
 * Upserts by (ad unit, day), a later row for the same key replacing an earlier one, in key order
 * (two writers of the same rows then never wait for each other in a circle), with the platform's
 * bulk upsert: a few statements per batch, never one per row.
 */
export async function upsertRows(db: ModuleDatabase, trx: Knex.Transaction, rows: DeliveryRow[]): Promise<void> {
  await db.bulkUpsert(trx, 'delivery_reports', COLUMNS, latestInKeyOrder(rows), ON);
}

/**
 * `upsertRows` for batch after batch of one transaction (the CSV import), through the platform's bulk loader:
 * a batch is made ready (`prepare`, no database) while the one before it is written, then written (`write`).
 */
export function rowsUpserter(db: ModuleDatabase, trx: Knex.Transaction) {
  const loader = db.bulkUpserter(trx, 'delivery_reports', COLUMNS, ON);
  return { prepare: (rows: DeliveryRow[]) => loader.prepare(latestInKeyOrder(rows)), write: loader.write };
}

/** The rows as delivery_reports columns, the last of each (ad unit, day), in key order. */
function latestInKeyOrder(rows: DeliveryRow[]) {
  const latest = new Map<string, DeliveryRow>();
  for (const row of rows) latest.set(`${row.adUnitId} ${row.date}`, row);
  return [...latest.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, r]) => ({ ad_unit_id: r.adUnitId, day: r.date, impressions: r.impressions, clicks: r.clicks, revenue_micros: r.revenueMicros }));
}

/**
 * The written months (publisher month keys) whose revenue or impressions now pass MAX_MONTH_TOTAL, a page of
 * publishers per query. Sums are compared exactly in SQL (PostgreSQL numeric; SQLite integers, whose own
 * overflow is reported as well).
 */
export async function monthsOverLimit(trx: Knex.Transaction, keys: Set<string>): Promise<string[]> {
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
    let rows: { publisher_id: string; period: string }[];
    try {
      rows = await trx('delivery_reports as d')
        .join('ad_units as u', 'u.id', 'd.ad_unit_id')
        .join('apps as a', 'a.id', 'u.app_id')
        .whereIn('a.publisher_id', page)
        .whereBetween('d.day', [`${periods[0]}-01`, `${periods[periods.length - 1]}-31`])
        .groupBy('a.publisher_id', trx.raw('substr(d.day, 1, 7)'))
        .havingRaw(`sum(d.revenue_micros) > ${MAX_MONTH_TOTAL} OR sum(d.impressions) > ${MAX_MONTH_TOTAL}`)
        .select('a.publisher_id', trx.raw('substr(d.day, 1, 7) AS period'));
    } catch (error) {
      // SQLite stops a sum past 2^63: far past the limit, in one of these months.
      if (!/integer overflow/.test((error as Error).message)) throw error;
      rows = page.flatMap((id) => byPublisher.get(id)!.map((period) => ({ publisher_id: id, period })));
    }
    over.push(...rows.map((row) => monthKey(row.publisher_id, row.period)).filter((key) => keys.has(key)));
  }
  return over;
}
