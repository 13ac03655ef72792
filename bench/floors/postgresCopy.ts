/**
 * The PostgreSQL ingest floor: the same CSV streamed into the same table with
 * COPY … FROM STDIN (pg-copy-streams). Usage: postgresCopy.ts DATABASE_URL CSV_FILE.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const [url, csv] = process.argv.slice(2) as [string, string];
const client = new pg.Client({ connectionString: url });
await client.connect();
await client.query('SET search_path TO operations');
const copy = client.query(
  copyFrom('COPY delivery_reports (ad_unit_id, day, impressions, clicks, revenue_micros) FROM STDIN WITH (FORMAT csv, HEADER true)'),
);
await pipeline(fs.createReadStream(csv), copy);
process.stdout.write(`${copy.rowCount}\n`);
await client.end();
