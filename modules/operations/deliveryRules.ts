/**
 * What a delivery row must be to be accepted, the same for the API and the CSV
 * import: its shape, plausible values (a day from 2000-01-01 to tomorrow, UTC;
 * counts and revenue a real ad unit could deliver in a day), clicks within
 * impressions, and one row per (ad unit, day) per upload. References (a known
 * ad unit, an open month) need the database: deliveryReports.ts checks them.
 */
import { Strict, Type, addDays, dayOf, validator, type FieldError } from '../../src/kernel/index.ts';

export const FIRST_DAY = '2000-01-01';
/** Impressions or clicks of one ad unit in one day. */
export const MAX_ROW_COUNT = 1_000_000_000_000;
/** Gross revenue of one ad unit in one day: 10,000,000 USD. */
export const MAX_ROW_REVENUE_MICROS = 10_000_000_000_000;
/** A publisher's month (revenue or impressions) must stay within what a JSON number holds exactly. */
export const MAX_MONTH_TOTAL = Number.MAX_SAFE_INTEGER;

const RowCount = Type.Integer({ minimum: 0, maximum: MAX_ROW_COUNT, description: 'at most 10^12 per ad unit and day' });

export const DeliveryRow = Strict({
  adUnitId: Type.String({ minLength: 1, maxLength: 40, pattern: '^[\\x21-\\x7E]+$', description: 'an ad unit id' }),
  date: Type.String({ format: 'day', description: 'UTC day, YYYY-MM-DD, from 2000-01-01 to tomorrow (UTC)', examples: ['2026-03-01'] }),
  impressions: RowCount,
  clicks: Type.Integer({ minimum: 0, maximum: MAX_ROW_COUNT, description: 'at most the row’s impressions' }),
  revenueMicros: Type.Integer({
    minimum: 0,
    maximum: MAX_ROW_REVENUE_MICROS,
    description:
      'gross revenue in USD micros, at most 10^13 (10,000,000 USD) per ad unit and day; a publisher’s month may total ' +
      'at most 2^53 - 1 micros (and impressions), so every figure the API returns for a month is exact',
  }),
});

export interface DeliveryRow {
  adUnitId: string;
  date: string;
  impressions: number;
  clicks: number;
  revenueMicros: number;
}

/** A problem of the row at `index` (so every problem of an upload can be listed in row order). */
export interface RowProblem extends FieldError {
  index: number;
}

const rowShape = validator(DeliveryRow);

export const lastAcceptedDay = (now: Date) => addDays(dayOf(now), 1);

/** The row's shape, then its own rules; no problem means it is a DeliveryRow. */
export function rowProblems(row: unknown, index: number, at: string, now: Date): RowProblem[] {
  const shape = rowShape.check(row, at);
  if (shape.length > 0) return shape.map((problem) => ({ ...problem, index }));
  const { date, clicks, impressions } = row as DeliveryRow;
  const problems: RowProblem[] = [];
  const last = lastAcceptedDay(now);
  if (date < FIRST_DAY || date > last)
    problems.push({ index, path: `${at}/date`, message: `must be between ${FIRST_DAY} and ${last} (tomorrow, UTC)` });
  if (clicks > impressions) problems.push({ index, path: `${at}/clicks`, message: 'must not exceed impressions' });
  return problems;
}

/** Rows of one upload that repeat an earlier row's (ad unit, day): each named with the row it repeats. */
export function duplicateProblems(rows: { index: number; row: DeliveryRow }[], at: (index: number) => string): RowProblem[] {
  const first = new Map<string, number>();
  const problems: RowProblem[] = [];
  for (const { index, row } of rows) {
    const key = `${row.adUnitId} ${row.date}`;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, index);
    else problems.push({ index, path: at(index), message: `repeats the adUnitId and date of ${at(earlier)}` });
  }
  return problems;
}

/** In row order; the order each row's problems were found in is kept. */
export const inRowOrder = (problems: RowProblem[]): FieldError[] =>
  problems
    .map((problem, order) => ({ problem, order }))
    .sort((a, b) => a.problem.index - b.problem.index || a.order - b.order)
    .map(({ problem: { path, message } }) => ({ path, message }));
