/**
 * Delivery CSV records as rows: the header's columns by name (csvHeader.ts),
 * then each record checked with the API's rules (deliveryRules.ts), every
 * problem named by CSV column. A record that plainly passes takes a fast path
 * (a million lines a second); anything else the full check, which also writes
 * the messages. Line numbers cost csv-parse half its speed, so records are
 * counted and the few reported are given their lines by a second read.
 */
import fs from 'node:fs';
import { parse, type Options } from 'csv-parse';
import { isDay } from '../../src/kernel/index.ts';
import type { CsvColumns } from './csvHeader.ts';
import { FIRST_DAY, MAX_ROW_COUNT, MAX_ROW_REVENUE_MICROS, lastAcceptedDay, rowProblems, type DeliveryRow } from './deliveryRules.ts';

/** RFC 4180 with what dumps carry: a byte-order mark, blank lines, records of the wrong length (reported, not fatal). */
export const CSV_OPTIONS: Options = { bom: true, relax_column_count: true, skip_empty_lines: true };

const DIGITS = /^\d+$/;
/** Up to 13 digits a count is within the bounds' order of magnitude (exact in a double); longer ones take the full check. */
const SHORT_DIGITS = /^\d{1,13}$/;

/** The API's field names as the file's columns. */
const COLUMN_OF: Record<string, string> = {
  adUnitId: 'ad_unit_id',
  date: 'date',
  impressions: 'impressions',
  clicks: 'clicks',
  revenueMicros: 'revenue_micros',
};

type CheckedRecord = { row: DeliveryRow; publisherId: string } | string[];

/** A checker of records under one header, against the ad units Operations knows, on the day `now`. */
export function recordChecker(columns: CsvColumns, now: Date, publisherOf: Map<string, string>) {
  const lastDay = lastAcceptedDay(now);
  const days = new Map<string, boolean>();
  const plainDay = (date: string) => {
    let ok = days.get(date);
    if (ok === undefined) {
      ok = isDay(date) && date >= FIRST_DAY && date <= lastDay;
      if (days.size < 100_000) days.set(date, ok);
    }
    return ok;
  };

  /** The fast path: a record that is plainly right as it stands (no spaces, no bounds reached); null otherwise. */
  function plain(record: string[]): CheckedRecord | null {
    const adUnitId = record[columns.ad_unit_id]!;
    const publisherId = publisherOf.get(adUnitId);
    const [date, impressions, clicks, revenue] = [
      record[columns.date]!,
      record[columns.impressions]!,
      record[columns.clicks]!,
      record[columns.revenue_micros]!,
    ];
    if (
      publisherId === undefined ||
      !SHORT_DIGITS.test(impressions) ||
      !SHORT_DIGITS.test(clicks) ||
      !SHORT_DIGITS.test(revenue) ||
      !plainDay(date)
    )
      return null;
    const row = { adUnitId, date, impressions: Number(impressions), clicks: Number(clicks), revenueMicros: Number(revenue) };
    if (row.impressions > MAX_ROW_COUNT || row.clicks > row.impressions || row.revenueMicros > MAX_ROW_REVENUE_MICROS) return null;
    return { row, publisherId };
  }

  /** The full check: every problem of the record, or the row. */
  function full(record: string[]): CheckedRecord {
    const field = (name: keyof CsvColumns) => (record[columns[name]] ?? '').trim();
    const problems: string[] = [];
    const adUnitId = field('ad_unit_id');
    const publisherId = publisherOf.get(adUnitId);
    if (adUnitId !== '' && publisherId === undefined) problems.push('ad_unit_id is not a known ad unit');
    // A field that does not parse is reported once, and takes a stand-in that breaks no rule, so the rules
    // still run on the rest: a day in range, no revenue or clicks, the most impressions (clicks never exceed them).
    const date = field('date');
    const day = isDay(date) ? date : FIRST_DAY;
    if (day !== date) problems.push(`date "${date}" is not a real YYYY-MM-DD day`);
    const count = (name: 'impressions' | 'clicks' | 'revenue_micros', standIn: number) => {
      const value = field(name);
      if (DIGITS.test(value)) return Number(value);
      problems.push(`${name} "${value}" is not a non-negative whole number`);
      return standIn;
    };
    const row = {
      adUnitId,
      date: day,
      impressions: count('impressions', MAX_ROW_COUNT),
      clicks: count('clicks', 0),
      revenueMicros: count('revenue_micros', 0),
    };
    for (const problem of rowProblems(row, 0, '', now))
      problems.push(`${COLUMN_OF[problem.path.slice(1)] ?? problem.path.slice(1)} ${problem.message}`);
    return problems.length > 0 ? problems : { row, publisherId: publisherId! };
  }

  return (record: string[]): CheckedRecord => plain(record) ?? full(record);
}

/** The line each of the given records (0 = the header) ends on, by a second read of the file. */
export async function linesOfRecords(file: string, records: number[]): Promise<Map<number, number>> {
  const wanted = new Set(records);
  const lines = new Map<number, number>();
  if (wanted.size === 0) return lines;
  const last = Math.max(...wanted);
  let index = 0;
  const parser = fs.createReadStream(file).pipe(parse({ ...CSV_OPTIONS, info: true }));
  try {
    for await (const { info } of parser as AsyncIterable<{ info: { lines: number } }>) {
      if (wanted.has(index)) lines.set(index, info.lines);
      if (++index > last) break;
    }
  } catch {
    // A record past a CSV error has no line; the error itself names its own.
  }
  parser.destroy();
  return lines;
}
