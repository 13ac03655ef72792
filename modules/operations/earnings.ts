/**
 * Earnings: gross revenue summed in SQL per app, the publisher's share per app
 * = gross × bps / 10^4 rounded half-up (BigInt), totals = sums of the apps.
 */
import type { Knex } from 'knex';
import { monthBounds, shareMicros, sum, toBigInt, toJsonInteger, type ModuleDatabase } from '../../src/kernel/index.ts';
import type { EarningsFailure, PublisherEarnings } from './contract.ts';
import { appTotals, type AppTotalsRow } from './data/appTotals.ts';
import { publisherNotFound, rangeInvalid, totalTooLarge } from './errors.ts';

/** SQLite stops a whole query whose sum passes 2^63; PostgreSQL's numeric sums never overflow. */
const isSumOverflow = (error: unknown) => /integer overflow/.test((error as Error | null)?.message ?? '');

function failure(publisherId: string, from: string, to: string): EarningsFailure {
  const { code, message } = totalTooLarge({ from, to });
  return { publisherId, failure: { code, message } };
}

export function makeEarnings({ db }: { db: ModuleDatabase }) {
  const totals = (knex: Knex, publisherIds: string[], from: string, to: string) => appTotals(knex, db.dialect, publisherIds, from, to);

  /**
   * Earnings of each given publisher between two days (inclusive), every app listed; one query.
   * Rows may be summed past what a JSON number holds exactly: that is the caller's range, a 422, not a 500.
   */
  async function between(publisherIds: string[], from: string, to: string): Promise<PublisherEarnings[]> {
    let rows: AppTotalsRow[];
    try {
      rows = await totals(db.knex, publisherIds, from, to);
    } catch (error) {
      if (isSumOverflow(error)) throw totalTooLarge({ from, to });
      throw error;
    }
    return [...toEarnings(rows, publisherIds, from, to).values()].map((earnings) => {
      if ('failure' in earnings) throw totalTooLarge({ from, to });
      return earnings;
    });
  }

  return {
    between,

    /** One publisher's earnings between two days, as its API gives them. */
    async ofPublisher(publisherId: string, from: string, to: string) {
      if (from > to) throw rangeInvalid();
      const [earnings] = await between([publisherId], from, to);
      if (!earnings) throw publisherNotFound(publisherId);
      const { revenueShareBps, ...figures } = earnings;
      return { ...figures, from, to };
    },

    /**
     * A month's earnings of a page of publishers, one query (in the caller's transaction if given); a publisher
     * whose figures cannot be given exactly is a failure of its own, so the rest of the page is still invoiced.
     */
    async forMonth(publisherIds: string[], month: string, trx: Knex = db.knex): Promise<(PublisherEarnings | EarningsFailure)[]> {
      const { from, to } = monthBounds(month);
      try {
        return [...toEarnings(await totals(trx, publisherIds, from, to), publisherIds, from, to).values()];
      } catch (error) {
        if (!isSumOverflow(error)) throw error;
      }
      // Some publisher's sum overflowed the query: one query each finds who.
      const results: (PublisherEarnings | EarningsFailure)[] = [];
      for (const id of publisherIds) {
        try {
          results.push(...toEarnings(await totals(trx, [id], from, to), [id], from, to).values());
        } catch (error) {
          if (!isSumOverflow(error)) throw error;
          results.push(failure(id, from, to));
        }
      }
      return results;
    },
  };
}

export type Earnings = ReturnType<typeof makeEarnings>;

/** The rows grouped per publisher, in the order of the ids asked for; unknown ids are left out. */
function toEarnings(
  rows: AppTotalsRow[],
  publisherIds: string[],
  from: string,
  to: string,
): Map<string, PublisherEarnings | EarningsFailure> {
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
