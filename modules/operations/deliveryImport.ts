/**
 * `import deliveries FILE.csv`: streams an ad-network dump of any size, RFC
 * 4180 CSV (quoted fields, CRLF or LF, a BOM) through csv-parse, the columns
 * found by their header names in any order. Every line is checked with the
 * API's own rules and every problem of a bad line reported; rows are written
 * in batches inside one write transaction, so a single bad line anywhere
 * leaves the database untouched. A day that appears twice in a file takes its
 * later line (networks resend days).
 */
import fs from 'node:fs';
import { parse, CsvError } from 'csv-parse';
import { isDay, monthOf, type Clock, type CommandIO, type ModuleDatabase } from '../../src/kernel/index.ts';
import { readCsvHeader, type CsvColumns } from './csvHeader.ts';
import { monthsOverLimit, publishersOfAdUnits, upsertRows } from './deliveryReports.ts';
import { FIRST_DAY, MAX_MONTH_TOTAL, MAX_ROW_COUNT, rowProblems, type DeliveryRow } from './deliveryRules.ts';
import { closedAmong, lockMonths, monthKey, splitMonthKey } from './monthLocks.ts';

export { CSV_HEADER } from './csvHeader.ts';

const BATCH = 5_000;
const MAX_REPORTED = 50;
const DIGITS = /^\d+$/;

export interface ImportResult {
  rows: number;
  bytes: number;
  badLines: { line: number; message: string }[];
  /** More bad lines than were reported. */
  moreBadLines: number;
}

/** The API's field names as the file's columns. */
const COLUMN_OF: Record<string, string> = { adUnitId: 'ad_unit_id', date: 'date', impressions: 'impressions', clicks: 'clicks', revenueMicros: 'revenue_micros' };

/** One record as a row of a known ad unit with its publisher, or every problem with it (named by CSV column). */
export function parseRecord(record: string[], columns: CsvColumns, now: Date, publisherOf: Map<string, string>): { row: DeliveryRow; publisherId: string } | string[] {
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
  const row = { adUnitId, date: day, impressions: count('impressions', MAX_ROW_COUNT), clicks: count('clicks', 0), revenueMicros: count('revenue_micros', 0) };
  for (const problem of rowProblems(row, 0, '', now)) problems.push(`${COLUMN_OF[problem.path.slice(1)] ?? problem.path.slice(1)} ${problem.message}`);
  return problems.length > 0 ? problems : { row, publisherId: publisherId! };
}

interface PendingRow {
  line: number;
  row: DeliveryRow;
  month: string;
}

export async function importDeliveries(db: ModuleDatabase, clock: Clock, file: string, io: CommandIO): Promise<ImportResult> {
  const size = fs.statSync(file).size;
  const result: ImportResult = { rows: 0, bytes: size, badLines: [], moreBadLines: 0 };
  const bad = (line: number, message: string) => {
    if (result.badLines.length < MAX_REPORTED) result.badLines.push({ line, message });
    else result.moreBadLines++;
  };
  const now = clock.now();
  const progress = io.progress('import', 'bytes', size);
  const started = Date.now();
  const report = (bytes: number) => progress.update(bytes, size, `${result.rows.toLocaleString('en-US')} rows, ${Math.round(result.rows / Math.max((Date.now() - started) / 1000, 0.001)).toLocaleString('en-US')} rows/s`);

  // One write transaction: on SQLite other writers wait until it commits; on PostgreSQL each month it
  // writes stays locked (shared) against Billing's close until then.
  await db.writeTransaction(async (trx) => {
    const publisherOf = await publishersOfAdUnits(trx, 'all');
    const checked = new Set<string>();
    const closed = new Set<string>();
    const firstLineOf = new Map<string, number>();
    let batch: PendingRow[] = [];
    // One batch is written while the next is read and checked (PostgreSQL works beside this process).
    let writing: Promise<void> = Promise.resolve();
    const flush = async (rows: PendingRow[]) => {
      await writing;
      const fresh = [...new Set(rows.map((r) => r.month))].filter((month) => !checked.has(month));
      await lockMonths(trx, db.dialect, fresh, 'shared');
      for (const month of fresh) checked.add(month);
      for (const month of await closedAmong(trx, fresh)) closed.add(month);
      for (const { line, month } of rows) {
        if (closed.has(month)) bad(line, `date falls in ${splitMonthKey(month).period}, already invoiced (closed)`);
      }
      // Once a line is bad nothing will be written: keep checking, stop writing.
      if (result.badLines.length > 0) return;
      writing = upsertRows(trx, rows.map((r) => r.row), db.dialect);
      writing.catch(() => undefined); // awaited before the next write and at the end
    };

    const parser = fs.createReadStream(file).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }));
    let columns: CsvColumns | null = null;
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; bytes: number } }>) {
        if (columns === null) {
          const header = readCsvHeader(record);
          if (typeof header === 'string') {
            bad(info.lines, header);
            break;
          }
          columns = header;
          continue;
        }
        if (record.length !== columns.count) {
          bad(info.lines, `expected ${columns.count} fields, found ${record.length}`);
          continue;
        }
        const parsed = parseRecord(record, columns, now, publisherOf);
        if (Array.isArray(parsed)) {
          bad(info.lines, parsed.join('; '));
          continue;
        }
        const { row, publisherId } = parsed;
        result.rows++;
        const month = monthKey(publisherId, monthOf(row.date));
        if (!firstLineOf.has(month)) firstLineOf.set(month, info.lines);
        batch.push({ line: info.lines, row, month });
        if (batch.length === BATCH) {
          await flush(batch);
          batch = [];
          report(info.bytes);
        }
      }
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      bad((error as CsvError & { lines?: number }).lines ?? 0, `the file is not valid CSV: ${error.message.replace(/^Invalid [^:]*: /, '')}`);
    }
    await flush(batch);
    await writing;
    if (columns === null && result.badLines.length === 0) bad(1, 'the file is empty; it needs a header line naming the columns');
    if (result.badLines.length === 0) {
      for (const month of await monthsOverLimit(trx, db.dialect, new Set(firstLineOf.keys()))) {
        bad(firstLineOf.get(month)!, `${splitMonthKey(month).period} of this line's publisher would total more than ${MAX_MONTH_TOTAL} (revenue or impressions)`);
      }
    }
    report(size);
    progress.clear();
    if (result.badLines.length > 0) throw new BadLines();
  }).catch((error) => {
    if (!(error instanceof BadLines)) throw error;
  });
  return result;
}

/** Rolls the import's transaction back. */
class BadLines extends Error {}
