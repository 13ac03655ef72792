/**
 * `import deliveries FILE.csv`: streams an ad-network dump of any size
 * (header `ad_unit_id,date,impressions,clicks,revenue_micros`), checks every
 * line as it goes, and writes in batches inside one transaction — so a single
 * bad line anywhere leaves the database untouched.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { isDay, type CommandIO, type ModuleDatabase } from '../../src/kernel/index.ts';
import { checkRow, loadFacts, upsertRows, type DeliveryRow } from './deliveryReports.ts';

export const CSV_HEADER = 'ad_unit_id,date,impressions,clicks,revenue_micros';
const BATCH = 5_000;
const MAX_REPORTED = 50;
const COUNT = /^\d{1,15}$/;

export interface ImportResult {
  rows: number;
  badLines: { line: number; message: string }[];
  /** More bad lines than were reported. */
  moreBadLines: number;
}

/** Parses one data line; returns the row or what is wrong with it. */
export function parseLine(text: string): DeliveryRow | string {
  const fields = text.split(',');
  if (fields.length !== 5) return `expected 5 fields, found ${fields.length}`;
  const [adUnitId, date, impressions, clicks, revenueMicros] = fields.map((f) => f.trim()) as [string, string, string, string, string];
  if (!adUnitId) return 'ad_unit_id is empty';
  if (!isDay(date)) return `date "${date}" is not a real YYYY-MM-DD day`;
  for (const [name, value] of [['impressions', impressions], ['clicks', clicks], ['revenue_micros', revenueMicros]] as const) {
    if (!COUNT.test(value)) return `${name} "${value}" is not a non-negative integer`;
  }
  return { adUnitId, date, impressions: Number(impressions), clicks: Number(clicks), revenueMicros: Number(revenueMicros) };
}

export async function importDeliveries(db: ModuleDatabase, file: string, io: CommandIO): Promise<ImportResult> {
  const size = fs.statSync(file).size;
  const progress = io.progress('import', 'rows');
  const result: ImportResult = { rows: 0, badLines: [], moreBadLines: 0 };
  const bad = (line: number, message: string) => {
    if (result.badLines.length < MAX_REPORTED) result.badLines.push({ line, message });
    else result.moreBadLines++;
  };

  await db.knex.transaction(async (trx) => {
    const facts = await loadFacts(trx, 'all');
    // Opened only now: lines read before iteration starts would be lost.
    const input = fs.createReadStream(file);
    const lines = readline.createInterface({ input, crlfDelay: Infinity });
    let batch: DeliveryRow[] = [];
    // One batch is written while the next is read and checked (PostgreSQL works beside this process).
    let writing: Promise<void> = Promise.resolve();
    const write = async (rows: DeliveryRow[]) => {
      await writing;
      writing = upsertRows(trx, rows, db.dialect);
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
      const verdict = checkRow(row, facts);
      if (!verdict.ok) {
        bad(lineNumber, verdict.problems.map((p) => `${p.field} ${p.message}`).join('; '));
        continue;
      }
      result.rows++;
      // Once a line is bad nothing will be written: keep checking, stop writing.
      if (result.badLines.length > 0) continue;
      batch.push(row);
      if (batch.length === BATCH) {
        await write(batch);
        batch = [];
        progress.update(result.rows, Math.round((result.rows * size) / Math.max(input.bytesRead, 1)));
      }
    }
    await writing;
    if (lineNumber === 0) bad(1, `the file is empty; expected the header ${CSV_HEADER}`);
    if (result.badLines.length > 0) {
      progress.finish('nothing written');
      throw new BadLines();
    }
    await write(batch);
    await writing;
    progress.update(result.rows, result.rows);
    progress.finish(`${result.rows.toLocaleString('en-US')} rows written`);
  }).catch((error) => {
    if (!(error instanceof BadLines)) throw error;
  });
  return result;
}

/** Rolls the import's transaction back. */
class BadLines extends Error {}
