/**
 * Earnings: gross revenue summed in SQL per app, the publisher's share per app
 * = gross × bps / 10^4 rounded half-up (BigInt), totals = sums of the apps.
 */
import type { Knex } from 'knex';
import { invalid, shareMicros, sum, toBigInt, toJsonInteger } from '../../src/kernel/index.ts';
import type { PublisherEarnings } from './contract.ts';

interface AppTotalsRow {
  publisher_id: string;
  revenue_share_bps: number;
  app_id: string | null;
  name: string | null;
  impressions: number | string;
  clicks: number | string;
  gross: number | string;
}

/**
 * Earnings of each given publisher between two days (inclusive), every app listed; one query.
 * Rows may each hold up to 2^53 - 1, so a sum can pass what a JSON number holds
 * exactly (or, on SQLite, 2^63): that is the caller's range, a 422, not a 500.
 */
export async function earningsBetween(knex: Knex, publisherIds: string[], from: string, to: string): Promise<PublisherEarnings[]> {
  try {
    return await sumEarnings(knex, publisherIds, from, to);
  } catch (error) {
    if (error instanceof RangeError || /integer overflow/.test((error as Error | null)?.message ?? '')) {
      throw invalid('OPERATIONS.TOTAL_TOO_LARGE', `Totals between ${from} and ${to} exceed 2^53 - 1 and cannot be given exactly; ask for a shorter range`);
    }
    throw error;
  }
}

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

async function sumEarnings(knex: Knex, publisherIds: string[], from: string, to: string): Promise<PublisherEarnings[]> {
  if (publisherIds.length === 0) return [];
  const rows = await appTotals(knex, publisherIds, from, to);

  const byPublisher = new Map<string, PublisherEarnings>();
  for (const row of rows) {
    let earnings = byPublisher.get(row.publisher_id);
    if (!earnings) {
      earnings = { publisherId: row.publisher_id, revenueShareBps: row.revenue_share_bps, grossMicros: 0, shareMicros: 0, apps: [] };
      byPublisher.set(row.publisher_id, earnings);
    }
    if (row.app_id === null) continue; // a publisher without apps
    earnings.apps.push({
      appId: row.app_id,
      name: row.name!,
      impressions: toJsonInteger(toBigInt(row.impressions)),
      clicks: toJsonInteger(toBigInt(row.clicks)),
      grossMicros: toJsonInteger(toBigInt(row.gross)),
      shareMicros: toJsonInteger(shareMicros(row.gross, row.revenue_share_bps)),
    });
  }
  for (const earnings of byPublisher.values()) {
    earnings.grossMicros = toJsonInteger(sum(earnings.apps.map((a) => a.grossMicros)));
    earnings.shareMicros = toJsonInteger(sum(earnings.apps.map((a) => a.shareMicros)));
  }
  return publisherIds.filter((id) => byPublisher.has(id)).map((id) => byPublisher.get(id)!);
}
