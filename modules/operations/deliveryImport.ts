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
import { monthOf, type Clock, type CommandIO, type ModuleDatabase } from '../../src/kernel/index.ts';
import { readCsvHeader } from './csvHeader.ts';
import { CSV_OPTIONS, linesOfRecords, recordChecker } from './csvRecords.ts';
import { monthsOverLimit, publishersOfAdUnits, rowsUpserter } from './data/deliveryRows.ts';
import { closedAmong, lockMonths, monthKey, splitMonthKey } from './data/monthLocks.ts';
import { MAX_MONTH_TOTAL, type DeliveryRow } from './deliveryRules.ts';

/** Rows per write: each costs a few round trips (PostgreSQL: a COPY and an upsert), and the last is not overlapped with reading. */
const BATCH = 20_000;
const MAX_REPORTED = 50;

interface ImportResult {
  rows: number;
  bytes: number;
  badLines: { line: number; message: string }[];
  /** More bad lines than were reported. */
  moreBadLines: number;
}

interface PendingRow {
  /** The record's number in the file (0 is the header). */
  record: number;
  row: DeliveryRow;
  month: string;
}

export async function importDeliveries(db: ModuleDatabase, clock: Clock, file: string, io: CommandIO): Promise<ImportResult> {
  const size = fs.statSync(file).size;
  const result: ImportResult = { rows: 0, bytes: size, badLines: [], moreBadLines: 0 };
  // Problems by record number; lines are found for the reported ones at the end (or given, by a CSV error).
  const problems: { record: number; line?: number; message: string }[] = [];
  const bad = (record: number, message: string, line?: number) => {
    if (problems.length < MAX_REPORTED) problems.push({ record, message, ...(line !== undefined && { line }) });
    else result.moreBadLines++;
  };
  const progress = io.progress('import', 'bytes', size);
  const started = Date.now();
  const report = (bytes: number) =>
    progress.update(
      bytes,
      size,
      `${result.rows.toLocaleString('en-US')} rows, ${Math.round(result.rows / Math.max((Date.now() - started) / 1000, 0.001)).toLocaleString('en-US')} rows/s`,
    );

  // One write transaction: on SQLite other writers wait until it commits; on PostgreSQL each month it
  // writes stays locked (shared) against Billing's close until then.
  await db
    .writeTransaction(async (trx) => {
      const publisherOf = await publishersOfAdUnits(trx, 'all');
      const upsert = rowsUpserter(db, trx);
      const checked = new Set<string>();
      const closed = new Set<string>();
      const firstRecordOf = new Map<string, number>();
      let batch: PendingRow[] = [];
      // One batch is written while the next is read, checked and made ready (PostgreSQL works beside this process).
      let writing: Promise<void> = Promise.resolve();
      const flush = async (rows: PendingRow[]) => {
        const ready = problems.length > 0 ? null : upsert.prepare(rows.map((r) => r.row));
        await writing;
        const fresh = [...new Set(rows.map((r) => r.month))].filter((month) => !checked.has(month));
        await lockMonths(trx, db.dialect, fresh, 'shared');
        for (const month of fresh) checked.add(month);
        for (const month of await closedAmong(trx, fresh)) closed.add(month);
        for (const { record, month } of rows) {
          if (closed.has(month)) bad(record, `date falls in ${splitMonthKey(month).period}, already invoiced (closed)`);
        }
        // Once a line is bad nothing will be written: keep checking, stop writing.
        if (problems.length > 0 || ready === null) return;
        writing = upsert.write(ready);
        writing.catch(() => undefined); // awaited before the next write and at the end
      };

      const input = fs.createReadStream(file);
      let check: ReturnType<typeof recordChecker> | null = null;
      let columns = 0;
      let index = 0;
      try {
        for await (const record of input.pipe(parse(CSV_OPTIONS)) as AsyncIterable<string[]>) {
          const at = index++;
          if (check === null) {
            const header = readCsvHeader(record);
            if (typeof header === 'string') {
              bad(at, header);
              break;
            }
            check = recordChecker(header, clock.now(), publisherOf);
            columns = header.count;
            continue;
          }
          if (record.length !== columns) {
            bad(at, `expected ${columns} fields, found ${record.length}`);
            continue;
          }
          const checkedRecord = check(record);
          if (Array.isArray(checkedRecord)) {
            bad(at, checkedRecord.join('; '));
            continue;
          }
          const { row, publisherId } = checkedRecord;
          result.rows++;
          const month = monthKey(publisherId, monthOf(row.date));
          if (!firstRecordOf.has(month)) firstRecordOf.set(month, at);
          batch.push({ record: at, row, month });
          if (batch.length === BATCH) {
            await flush(batch);
            batch = [];
            report(input.bytesRead);
          }
        }
      } catch (error) {
        if (!(error instanceof CsvError)) throw error;
        bad(
          index,
          `the file is not valid CSV: ${error.message.replace(/^Invalid [^:]*: /, '')}`,
          (error as CsvError & { lines?: number }).lines,
        );
      }
      await flush(batch);
      await writing;
      if (check === null && problems.length === 0) bad(0, 'the file is empty; it needs a header line naming the columns', 1);
      if (problems.length === 0) {
        for (const month of await monthsOverLimit(trx, new Set(firstRecordOf.keys()))) {
          bad(
            firstRecordOf.get(month)!,
            `${splitMonthKey(month).period} of this line's publisher would total more than ${MAX_MONTH_TOTAL} (revenue or impressions)`,
          );
        }
      }
      report(size);
      progress.clear();
      if (problems.length > 0) throw new BadLines();
    })
    .catch((error) => {
      if (!(error instanceof BadLines)) throw error;
    });
  const lines = await linesOfRecords(
    file,
    problems.filter((p) => p.line === undefined).map((p) => p.record),
  );
  result.badLines = problems.map((p) => ({ line: p.line ?? lines.get(p.record) ?? 0, message: p.message })).sort((a, b) => a.line - b.line);
  return result;
}

/** Rolls the import's transaction back. */
class BadLines extends Error {}
