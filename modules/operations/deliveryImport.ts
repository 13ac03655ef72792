/**
 * `import deliveries FILE.csv`: streams an ad-network dump of any size
 * (header `ad_unit_id,date,impressions,clicks,revenue_micros`), checks every
 * line as it goes, and writes in batches inside one transaction — so a single
 * bad line anywhere leaves the database untouched.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { isDay, monthOf, type Clock, type CommandIO, type ModuleDatabase } from '../../src/kernel/index.ts';
import { monthsOverLimit, publishersOfAdUnits, upsertRows } from './deliveryReports.ts';
import { MAX_MONTH_TOTAL, rowProblems, type DeliveryRow } from './deliveryRules.ts';
import { closedAmong, lockMonths, monthKey, splitMonthKey } from './monthLocks.ts';

export const CSV_HEADER = 'ad_unit_id,date,impressions,clicks,revenue_micros';
const BATCH = 5_000;
const MAX_REPORTED = 50;
/** Digits only; how large a count may be is the row rules' business (the same as the API's). */
const DIGITS = /^\d{1,20}$/;

export interface ImportResult {
  rows: number;
  badLines: { line: number; message: string }[];
  /** More bad lines than were reported. */
  moreBadLines: number;
}

/** What a CSV column is called, for the API's field names in row problems. */
const COLUMN: Record<string, string> = { adUnitId: 'ad_unit_id', date: 'date', impressions: 'impressions', clicks: 'clicks', revenueMicros: 'revenue_micros' };

/** Parses one data line; returns the row or what is wrong with it. */
export function parseLine(text: string): DeliveryRow | string {
  const fields = text.split(',');
  if (fields.length !== 5) return `expected 5 fields, found ${fields.length}`;
  const [adUnitId, date, impressions, clicks, revenueMicros] = fields.map((f) => f.trim()) as [string, string, string, string, string];
  if (!adUnitId) return 'ad_unit_id is empty';
  if (!isDay(date)) return `date "${date}" is not a real YYYY-MM-DD day`;
  for (const [name, value] of [['impressions', impressions], ['clicks', clicks], ['revenue_micros', revenueMicros]] as const) {
    if (!DIGITS.test(value)) return `${name} "${value}" is not a non-negative integer`;
  }
  return { adUnitId, date, impressions: Number(impressions), clicks: Number(clicks), revenueMicros: Number(revenueMicros) };
}

interface PendingRow {
  line: number;
  row: DeliveryRow;
  month: string;
}

export async function importDeliveries(db: ModuleDatabase, clock: Clock, file: string, io: CommandIO): Promise<ImportResult> {
  const size = fs.statSync(file).size;
  const progress = io.progress('import', 'rows');
  const result: ImportResult = { rows: 0, badLines: [], moreBadLines: 0 };
  const bad = (line: number, message: string) => {
    if (result.badLines.length < MAX_REPORTED) result.badLines.push({ line, message });
    else result.moreBadLines++;
  };
  const now = clock.now();

  // One write transaction: on SQLite other writers wait until it commits; on PostgreSQL each month it
  // writes stays locked (shared) against Billing's close until then.
  await db.writeTransaction(async (trx) => {
    const publisherOf = await publishersOfAdUnits(trx, 'all');
    const checked = new Set<string>();
    const closed = new Set<string>();
    const firstLineOf = new Map<string, number>();
    // Opened only now: lines read before iteration starts would be lost.
    const input = fs.createReadStream(file);
    const lines = readline.createInterface({ input, crlfDelay: Infinity });
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
    let lineNumber = 0;
    for await (const text of lines) {
      lineNumber++;
      if (lineNumber === 1) {
        if (text.replace(/^\uFEFF/, '').trim() !== CSV_HEADER) bad(1, `the header must be ${CSV_HEADER}`);
        continue;
      }
      if (text.trim() === '') continue;
      const row = parseLine(text);
      if (typeof row === 'string') {
        bad(lineNumber, row);
        continue;
      }
      const problems = rowProblems(row, lineNumber, '', now).map((p) => `${COLUMN[p.path.slice(1)] ?? p.path.slice(1)} ${p.message}`);
      const publisherId = publisherOf.get(row.adUnitId);
      if (publisherId === undefined) problems.push('ad_unit_id is not a known ad unit');
      if (problems.length > 0) {
        bad(lineNumber, problems.join('; '));
        continue;
      }
      result.rows++;
      const month = monthKey(publisherId!, monthOf(row.date));
      if (!firstLineOf.has(month)) firstLineOf.set(month, lineNumber);
      batch.push({ line: lineNumber, row, month });
      if (batch.length === BATCH) {
        await flush(batch);
        batch = [];
        progress.update(result.rows, Math.round((result.rows * size) / Math.max(input.bytesRead, 1)));
      }
    }
    await flush(batch);
    await writing;
    if (lineNumber === 0) bad(1, `the file is empty; expected the header ${CSV_HEADER}`);
    if (result.badLines.length === 0) {
      for (const month of await monthsOverLimit(trx, db.dialect, new Set(firstLineOf.keys()))) {
        bad(firstLineOf.get(month)!, `${splitMonthKey(month).period} of this line's publisher would total more than ${MAX_MONTH_TOTAL} (revenue or impressions)`);
      }
    }
    if (result.badLines.length > 0) {
      progress.finish('nothing written');
      throw new BadLines();
    }
    progress.update(result.rows, result.rows);
    progress.finish(`${result.rows.toLocaleString('en-US')} rows written`);
  }).catch((error) => {
    if (!(error instanceof BadLines)) throw error;
  });
  return result;
}

/** Rolls the import's transaction back. */
class BadLines extends Error {}
