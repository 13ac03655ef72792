/**
 * The SQLite ingest floor: the same CSV into the same table with better-sqlite3
 * alone — one prepared 500-row INSERT reused, all in one transaction.
 * Usage: sqliteInsert.ts DB_FILE CSV_FILE; prints the rows written.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import Database from 'better-sqlite3';

const [file, csv] = process.argv.slice(2) as [string, string];
const ROWS = 500;
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const sql = (n: number) =>
  `INSERT INTO delivery_reports (ad_unit_id, day, impressions, clicks, revenue_micros) VALUES ${Array(n).fill('(?, ?, ?, ?, ?)').join(', ')}`;
const full = db.prepare(sql(ROWS));
let batch: (string | number)[] = [];
let rows = 0;
db.exec('BEGIN');
let first = true;
for await (const line of readline.createInterface({ input: fs.createReadStream(csv), crlfDelay: Infinity })) {
  if (first) {
    first = false;
    continue;
  }
  const [unit, day, impressions, clicks, revenue] = line.split(',');
  batch.push(unit!, day!, Number(impressions), Number(clicks), Number(revenue));
  if (batch.length === ROWS * 5) {
    full.run(batch);
    rows += ROWS;
    batch = [];
  }
}
if (batch.length > 0) {
  db.prepare(sql(batch.length / 5)).run(batch);
  rows += batch.length / 5;
}
db.exec('COMMIT');
db.close();
process.stdout.write(`${rows}\n`);
