/**
 * Delivery reports arrive in bulk. All rows are checked before any is written;
 * then all are upserted by (ad unit, day) in one transaction with multi-row
 * statements — never a query per row.
 */
import type { Knex } from 'knex';
import { DomainError, invalid, monthOf, type Dialect, type FieldError, type ModuleDatabase } from '../../src/kernel/index.ts';

export interface DeliveryRow {
  adUnitId: string;
  date: string;
  impressions: number;
  clicks: number;
  revenueMicros: number;
}

/** What row checks need to know: which publisher owns each ad unit, and which months are closed. */
export interface DeliveryFacts {
  publisherOf: Map<string, string>;
  closed: Set<string>;
}

export const UPSERT_CHUNK = 1_000;

/** Loads the facts for the given ad units, or for every ad unit (file imports). */
export async function loadFacts(knex: Knex, adUnitIds: string[] | 'all'): Promise<DeliveryFacts> {
  const publisherOf = new Map<string, string>();
  const ids = adUnitIds === 'all' ? null : [...new Set(adUnitIds)];
  for (let i = 0; ids === null ? i === 0 : i < ids.length; i += 5_000) {
    const rows: { id: string; publisher_id: string }[] = await knex('ad_units')
      .join('apps', 'apps.id', 'ad_units.app_id')
      .modify((q) => ids && q.whereIn('ad_units.id', ids.slice(i, i + 5_000)))
      .select('ad_units.id', 'apps.publisher_id');
    for (const row of rows) publisherOf.set(row.id, row.publisher_id);
  }
  const publishers = [...new Set(publisherOf.values())];
  const closed = new Set<string>();
  for (let i = 0; i < publishers.length; i += 5_000) {
    const rows: { publisher_id: string; period: string }[] = await knex('closed_periods')
      .whereIn('publisher_id', publishers.slice(i, i + 5_000))
      .select('publisher_id', 'period');
    for (const row of rows) closed.add(`${row.publisher_id}:${row.period}`);
  }
  return { publisherOf, closed };
}

export type RowVerdict = { ok: true } | { ok: false; closed: boolean; problems: { field: string; message: string }[] };

/** Rules beyond the row's shape: clicks within impressions, a known ad unit, an open month. */
export function checkRow(row: DeliveryRow, facts: DeliveryFacts): RowVerdict {
  const problems: { field: string; message: string }[] = [];
  if (row.clicks > row.impressions) problems.push({ field: 'clicks', message: 'must not exceed impressions' });
  const publisherId = facts.publisherOf.get(row.adUnitId);
  if (publisherId === undefined) problems.push({ field: 'adUnitId', message: 'is not a known ad unit' });
  if (problems.length > 0) return { ok: false, closed: false, problems };
  if (facts.closed.has(`${publisherId}:${monthOf(row.date)}`)) {
    return { ok: false, closed: true, problems: [{ field: 'date', message: `falls in ${monthOf(row.date)}, already invoiced (closed)` }] };
  }
  return { ok: true };
}

/**
 * Upserts by (ad unit, day), a later row for the same key replacing an earlier
 * one. PostgreSQL: one `INSERT … SELECT FROM unnest(five arrays) ON CONFLICT …
 * DO UPDATE` per batch — five parameters however many rows, so nothing per row
 * to parse or plan. SQLite: multi-row `INSERT … VALUES (…), (…) ON CONFLICT …`,
 * UPSERT_CHUNK rows per statement (Knex would compile a multi-row insert for
 * SQLite into a compound SELECT capped at 500 rows).
 */
export async function upsertRows(trx: Knex.Transaction, rows: DeliveryRow[], dialect: Dialect): Promise<void> {
  const latest = new Map<string, DeliveryRow>();
  for (const row of rows) latest.set(`${row.adUnitId} ${row.date}`, row);
  const unique = [...latest.values()];
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

export function makeDeliveryReports({ db }: { db: ModuleDatabase }) {
  return {
    /** All or nothing: 422 naming every bad row, 409 for rows in closed months, else every row upserted. */
    async put(rows: DeliveryRow[]): Promise<{ accepted: number }> {
      return db.knex.transaction(async (trx) => {
        const facts = await loadFacts(trx, rows.map((r) => r.adUnitId));
        const invalidRows: FieldError[] = [];
        const closedRows: FieldError[] = [];
        rows.forEach((row, index) => {
          const verdict = checkRow(row, facts);
          if (verdict.ok) return;
          const errors = verdict.problems.map((p) => ({ path: `/rows/${index}/${p.field}`, message: p.message }));
          (verdict.closed ? closedRows : invalidRows).push(...errors);
        });
        if (invalidRows.length > 0) {
          throw invalid('OPERATIONS.DELIVERY_ROWS_INVALID', `${invalidRows.length} problem(s) in the rows; nothing was written`, invalidRows);
        }
        if (closedRows.length > 0) {
          throw new DomainError('OPERATIONS.PERIOD_CLOSED', 'conflict', `${closedRows.length} row(s) fall in invoiced months; nothing was written`, closedRows);
        }
        await upsertRows(trx, rows, db.dialect);
        return { accepted: rows.length };
      });
    },
  };
}

export type DeliveryReports = ReturnType<typeof makeDeliveryReports>;
