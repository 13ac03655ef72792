/**
 * Delivery reports arrive in bulk. Every row is checked before any is written
 * and every problem is answered at once. The rows' months are then locked
 * (shared: a write and Billing's close of the same month exclude each other),
 * rows in closed months refused, and all rows upserted by (ad unit, day) with
 * multi-row statements — never a query per row — inside one transaction.
 */
import { Strict, Type, monthOf, validator, type Clock, type ModuleDatabase } from '../../src/kernel/index.ts';
import { monthsOverLimit, publishersOfAdUnits, upsertRows } from './data/deliveryRows.ts';
import { closedAmong, lockMonths, monthKey, splitMonthKey } from './data/monthLocks.ts';
import { duplicateProblems, inRowOrder, MAX_MONTH_TOTAL, rowProblems, type DeliveryRow, type RowProblem } from './deliveryRules.ts';
import { deliveryRowsInvalid, periodClosed } from './errors.ts';

export const MAX_DELIVERY_ROWS = 10_000;

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
        const publisherOf = await publishersOfAdUnits(
          trx,
          good.map(({ row }) => row.adUnitId),
        );
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
          .map(([index, key]) => ({
            index,
            path: `${at(index)}/date`,
            message: `falls in ${splitMonthKey(key).period}, already invoiced (closed)`,
          }));
        if (problems.length > 0) throw deliveryRowsInvalid(inRowOrder([...problems, ...closedRows]));
        if (closedRows.length > 0) throw periodClosed(inRowOrder(closedRows));

        await upsertRows(
          db,
          trx,
          good.map(({ row }) => row),
        );
        const over = new Set(await monthsOverLimit(trx, keys));
        if (over.size > 0) {
          throw deliveryRowsInvalid(
            inRowOrder(
              [...monthOfRow]
                .filter(([, key]) => over.has(key))
                .map(([index, key]) => ({
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
