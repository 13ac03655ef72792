/**
 * Earnings: gross revenue summed in SQL per app, the publisher's share per app
 * = gross × bps / 10^4 rounded half-up (BigInt), totals = sums of the apps.
 */
import type { Knex } from 'knex';
import { invalid, monthBounds, shareMicros, sum, toBigInt, toJsonInteger } from '../../src/kernel/index.ts';
import type { EarningsFailure, PublisherEarnings } from './contract.ts';

interface AppTotalsRow {
  publisher_id: string;
  revenue_share_bps: number;
  app_id: string | null;
  name: string | null;
  impressions: number | string;
  clicks: number | string;
  gross: number | string;
}

const tooLarge = (from: string, to: string) =>
  invalid('OPERATIONS.TOTAL_TOO_LARGE', `Totals between ${from} and ${to} exceed 2^53 - 1 and cannot be given exactly; ask for a shorter range`);

/** SQLite stops a whole query whose sum passes 2^63; PostgreSQL's numeric sums never overflow. */
const isSumOverflow = (error: unknown) => /integer overflow/.test((error as Error | null)?.message ?? '');

/**
 * Earnings of each given publisher between two days (inclusive), every app listed; one query.
 * Rows may be summed past what a JSON number holds exactly: that is the caller's range, a 422, not a 500.
 */
export async function earningsBetween(knex: Knex, publisherIds: string[], from: string, to: string): Promise<PublisherEarnings[]> {
  let rows: AppTotalsRow[];
  try {
    rows = await appTotals(knex, publisherIds, from, to);
  } catch (error) {
    if (isSumOverflow(error)) throw tooLarge(from, to);
    throw error;
  }
  return [...toEarnings(rows, publisherIds, from, to).values()].map((earnings) => {
    if ('failure' in earnings) throw tooLarge(from, to);
    return earnings;
  });
}

/**
 * A month's earnings of a page of publishers, one query; a publisher whose figures cannot be given
 * exactly is a failure of its own, so the rest of the page is still invoiced.
 */
export async function monthEarnings(knex: Knex, publisherIds: string[], month: string): Promise<(PublisherEarnings | EarningsFailure)[]> {
  const { from, to } = monthBounds(month);
  try {
    return [...toEarnings(await appTotals(knex, publisherIds, from, to), publisherIds, from, to).values()];
  } catch (error) {
    if (!isSumOverflow(error)) throw error;
  }
  // Some publisher's sum overflowed the query: one query each finds who.
  const results: (PublisherEarnings | EarningsFailure)[] = [];
  for (const id of publisherIds) {
    try {
      results.push(...toEarnings(await appTotals(knex, [id], from, to), [id], from, to).values());
    } catch (error) {
      if (!isSumOverflow(error)) throw error;
      results.push(failure(id, from, to));
    }
  }
  return results;
}

const failure = (publisherId: string, from: string, to: string): EarningsFailure => ({
  publisherId,
  failure: { code: 'OPERATIONS.TOTAL_TOO_LARGE', message: tooLarge(from, to).message },
});

/**
 * PostgreSQL: each ad unit's days summed by its own index range (a LATERAL subquery on
 * delivery_reports (ad_unit_id, day)), so only the page's rows are read and the final sort
 * is over one row per app, never over the delivery rows. The page's id range, taken from the
 * ids in SQL (its collation), bounds the publishers scan: without it a large id list looks
 * selective enough to the planner for a scan of every publisher, and JIT-compiled.
 */
const PG_APP_TOTALS = `
  SELECT p.id AS publisher_id, p.revenue_share_bps, a.id AS app_id, a.name,
    coalesce(sum(t.impressions), 0) AS impressions, coalesce(sum(t.clicks), 0) AS clicks, coalesce(sum(t.gross), 0) AS gross
  FROM publishers p
  LEFT JOIN apps a ON a.publisher_id = p.id
  LEFT JOIN ad_units u ON u.app_id = a.id
  LEFT JOIN LATERAL (
    SELECT sum(d.impressions) AS impressions, sum(d.clicks) AS clicks, sum(d.revenue_micros) AS gross
    FROM delivery_reports d WHERE d.ad_unit_id = u.id AND d.day BETWEEN ? AND ?
  ) t ON true
  WHERE p.id = ANY(?::text[])
    AND p.id BETWEEN (SELECT min(id) FROM unnest(?::text[]) AS page(id)) AND (SELECT max(id) FROM unnest(?::text[]) AS page(id))
  GROUP BY p.id, p.revenue_share_bps, a.id, a.name
  ORDER BY p.id, a.id`;

async function appTotals(knex: Knex, publisherIds: string[], from: string, to: string): Promise<AppTotalsRow[]> {
  if (knex.client.dialect === 'postgresql') {
    const ids = publisherIds as unknown as Knex.Value;
    return (await knex.raw<{ rows: AppTotalsRow[] }>(PG_APP_TOTALS, [from, to, ids, ids, ids])).rows;
  }
  return knex('publishers as p')
    .leftJoin('apps as a', 'a.publisher_id', 'p.id')
    .leftJoin('ad_units as u', 'u.app_id', 'a.id')
    .leftJoin('delivery_reports as d', (join) => {
      join.on('d.ad_unit_id', '=', 'u.id').andOnBetween('d.day', [from, to]);
    })
    .whereIn('p.id', publisherIds)
    .groupBy('p.id', 'p.revenue_share_bps', 'a.id', 'a.name')
    .orderBy(['p.id', 'a.id'])
    .select(
      'p.id as publisher_id',
      'p.revenue_share_bps',
      'a.id as app_id',
      'a.name',
      knex.raw('coalesce(sum(d.impressions), 0) as impressions'),
      knex.raw('coalesce(sum(d.clicks), 0) as clicks'),
      knex.raw('coalesce(sum(d.revenue_micros), 0) as gross'),
    );
}

/** The rows grouped per publisher, in the order of the ids asked for; unknown ids are left out. */
function toEarnings(rows: AppTotalsRow[], publisherIds: string[], from: string, to: string): Map<string, PublisherEarnings | EarningsFailure> {
  const byPublisher = new Map<string, AppTotalsRow[]>();
  for (const row of rows) {
    const own = byPublisher.get(row.publisher_id);
    if (own) own.push(row);
    else byPublisher.set(row.publisher_id, [row]);
  }
  const result = new Map<string, PublisherEarnings | EarningsFailure>();
  for (const id of publisherIds) {
    const own = byPublisher.get(id);
    if (!own || result.has(id)) continue;
    try {
      result.set(id, publisherEarnings(own));
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      result.set(id, failure(id, from, to));
    }
  }
  return result;
}

/** One publisher's rows (one per app, or one without an app); throws RangeError past 2^53 - 1. */
function publisherEarnings(rows: AppTotalsRow[]): PublisherEarnings {
  const first = rows[0]!;
  const apps = rows
    .filter((row) => row.app_id !== null)
    .map((row) => ({
      appId: row.app_id!,
      name: row.name!,
      impressions: toJsonInteger(toBigInt(row.impressions)),
      clicks: toJsonInteger(toBigInt(row.clicks)),
      grossMicros: toJsonInteger(toBigInt(row.gross)),
      shareMicros: toJsonInteger(shareMicros(row.gross, row.revenue_share_bps)),
    }));
  return {
    publisherId: first.publisher_id,
    revenueShareBps: first.revenue_share_bps,
    grossMicros: toJsonInteger(sum(apps.map((a) => a.grossMicros))),
    shareMicros: toJsonInteger(sum(apps.map((a) => a.shareMicros))),
    apps,
  };
}
