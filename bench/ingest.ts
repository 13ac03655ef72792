/**
 * Figure 3, bulk ingest: `npm run cli -- import deliveries FILE.csv` (the CLI
 * process, start to exit) vs the floor on the same file and the same table in
 * the same run — better-sqlite3 prepared multi-row inserts in one transaction,
 * PostgreSQL COPY. Then the API path: p50/p99 of a 10,000-row PUT /v1/delivery-reports.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { newId } from '../src/kernel/index.ts';
import { migrated, type BenchDatabase } from './lib/databases.ts';
import { ROOT, SEAMS_CLI, runToEnd } from './lib/processes.ts';
import { latestProfile, summarizeProfile, type ProfileSummary } from './lib/profile.ts';
import { startSeams } from './lib/servers.ts';
import type { Settings } from './lib/settings.ts';
import { median, percentile, spreadOf, type Spread } from './lib/stats.ts';

export const AD_UNITS = 2_000;

export interface IngestResult {
  dialect: string;
  rows: number;
  seams: { ms: number[]; rowsPerSecond: number };
  floor: { name: string; ms: number[]; rowsPerSecond: number };
  /** seams ÷ floor, rows/s, round by round; the ratio is its median. */
  spread: Spread;
  ratio: number;
  api: { rows: number; requests: number; p50: number; p99: number; rowsPerSecond: number };
  profile: ProfileSummary | null;
}

/** Publishers, apps and AD_UNITS ad units straight into Operations' tables; returns the ad unit ids. */
export async function seedAdUnits(knex: Knex): Promise<string[]> {
  const stamp = new Date().toISOString();
  const publishers: object[] = [];
  const apps: object[] = [];
  const units: { id: string }[] = [];
  for (let p = 0; p < AD_UNITS / 20; p++) {
    const pub = newId('pub');
    publishers.push({
      id: pub,
      name: `Ingest ${p}`,
      contact_email: `i${p}@x.example`,
      country: 'FI',
      revenue_share_bps: 7000,
      status: 'active',
      version: 1,
      created_at: stamp,
      updated_at: stamp,
    });
    for (let a = 0; a < 4; a++) {
      const app = newId('app');
      apps.push({ id: app, publisher_id: pub, name: `App ${a}`, platform: 'ios', bundle_id: `com.ingest${p}.app${a}`, created_at: stamp });
      for (let u = 0; u < 5; u++)
        units.push({ id: newId('adu'), app_id: app, name: `unit ${u}`, format: 'banner', floor_cpm_micros: 0, created_at: stamp } as never);
    }
  }
  await knex.batchInsert('publishers', publishers, 500);
  await knex.batchInsert('apps', apps, 500);
  await knex.batchInsert('ad_units', units, 500);
  return units.map((u) => u.id);
}

const dayAt = (index: number) => new Date(Date.UTC(2024, 0, 1) + index * 86_400_000).toISOString().slice(0, 10);

/** `rows` delivery rows: every ad unit, day after day from 2024-01-01. */
export function writeCsv(file: string, units: string[], rows: number): void {
  const out = fs.openSync(file, 'w');
  let chunk = 'ad_unit_id,date,impressions,clicks,revenue_micros\n';
  for (let i = 0; i < rows; i++) {
    const unit = units[i % units.length]!;
    const impressions = 1_000 + (i % 9_000);
    chunk += `${unit},${dayAt(Math.floor(i / units.length))},${impressions},${i % 97},${impressions * 2_000}\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(out, chunk);
      chunk = '';
    }
  }
  fs.writeSync(out, chunk);
  fs.closeSync(out);
}

async function emptyTable(db: BenchDatabase, knex: Knex): Promise<void> {
  if (db.dialect === 'postgres') {
    await knex.raw('TRUNCATE delivery_reports');
    await knex.raw('VACUUM ANALYZE delivery_reports');
  } else {
    await knex.raw('DELETE FROM delivery_reports');
    await knex.raw('VACUUM');
  }
}

export async function ingest(db: BenchDatabase, settings: Settings, rows: number, csvDir: string): Promise<IngestResult> {
  settings.log(`  bulk ingest of ${rows.toLocaleString('en-US')} rows on ${db.dialect}`);
  const app = await migrated(db);
  const units = await seedAdUnits(app.databases.get('operations')!.knex);
  const opsToken = (await app.tokens.create({ role: 'ops', name: 'bench ingest' })).token;
  await app.close();
  const csv = path.join(csvDir, `deliveries-${db.dialect}-${rows}.csv`);
  writeCsv(csv, units, rows);
  const knex = db.knex('operations');
  const count = async () => Number((await knex('delivery_reports').count({ n: '*' }))[0]!.n);

  const seamsMs: number[] = [];
  const floorMs: number[] = [];
  const floorName =
    db.dialect === 'sqlite' ? 'better-sqlite3, prepared 500-row INSERT, one transaction' : 'COPY FROM STDIN (pg-copy-streams)';
  const runSeams = async () => {
    await emptyTable(db, knex);
    const run = await runToEnd(SEAMS_CLI, ['import', 'deliveries', csv], {
      env: { ...db.env, LOG_LEVEL: 'warn' },
    });
    if (run.code !== 0) throw new Error(`seams import failed (${run.code}):\n${run.output.slice(-3000)}`);
    if ((await count()) !== rows) throw new Error('seams import wrote the wrong number of rows');
    seamsMs.push(run.ms);
    settings.log(
      `    seams CLI import: ${Math.round(rows / (run.ms / 1000)).toLocaleString('en-US')} rows/s (${(run.ms / 1000).toFixed(1)} s)`,
    );
  };
  const runFloor = async () => {
    await emptyTable(db, knex);
    const run =
      db.dialect === 'sqlite'
        ? await runToEnd(path.join(ROOT, 'bench/floors/sqliteInsert.ts'), [path.join(db.dataDir, 'operations.sqlite'), csv], {})
        : await runToEnd(path.join(ROOT, 'bench/floors/postgresCopy.ts'), [db.databaseUrl!, csv], {});
    if (run.code !== 0) throw new Error(`ingest floor failed (${run.code}):\n${run.output.slice(-3000)}`);
    if ((await count()) !== rows) throw new Error('the ingest floor wrote the wrong number of rows');
    floorMs.push(run.ms);
    settings.log(`    floor: ${Math.round(rows / (run.ms / 1000)).toLocaleString('en-US')} rows/s (${(run.ms / 1000).toFixed(1)} s)`);
  };
  const rounds = settings.processRounds;
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      await runFloor();
      await runSeams();
    } else {
      await runSeams();
      await runFloor();
    }
  }
  let profile: ProfileSummary | null = null;
  if (settings.profile && !settings.quick) {
    // Outside the measured rounds: one more import under the profiler (it leaves the rows in place).
    await emptyTable(db, knex);
    const dir = path.join(db.dataDir, 'profile-import');
    const run = await runToEnd(SEAMS_CLI, ['import', 'deliveries', csv], {
      env: { ...db.env, LOG_LEVEL: 'warn' },
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    });
    const file = latestProfile(dir);
    if (run.code === 0 && file) profile = summarizeProfile(file);
  }
  // The table now holds the seams import's rows: the API path upserts into a full table.
  const api = await apiPath(db, settings, units, opsToken);
  fs.rmSync(csv, { force: true });
  const spread = spreadOf(seamsMs.map((ms, i) => floorMs[i]! / ms));
  const seamsRate = rows / (median(seamsMs) / 1000);
  const floorRate = rows / (median(floorMs) / 1000);
  return {
    dialect: db.dialect,
    rows,
    seams: { ms: seamsMs, rowsPerSecond: seamsRate },
    floor: { name: floorName, ms: floorMs, rowsPerSecond: floorRate },
    spread,
    ratio: spread.median,
    api,
    profile,
  };
}

/** Sequential 10,000-row PUTs on one connection (new days each time, before the file's and never in the future: inserts, not no-op updates). */
async function apiPath(db: BenchDatabase, settings: Settings, units: string[], token: string) {
  const ROWS = 10_000;
  const requests = settings.quick ? 10 : 40;
  const server = await startSeams(db.env, { logFile: path.join(db.dataDir, 'seams-ingest.log') });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < requests + 2; i++) {
      const rows = Array.from({ length: ROWS }, (_, r) => {
        const impressions = 5_000 + r;
        return {
          adUnitId: units[r % units.length]!,
          date: dayAt(-1 - i * 5 - Math.floor(r / units.length)),
          impressions,
          clicks: r % 50,
          revenueMicros: impressions * 1_500,
        };
      });
      const body = JSON.stringify({ rows });
      const started = performance.now();
      const response = await fetch(`${server.url}/v1/delivery-reports`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      const answer = (await response.json()) as { accepted?: number };
      if (response.status !== 200 || answer.accepted !== ROWS)
        throw new Error(`PUT /v1/delivery-reports answered ${response.status}: ${JSON.stringify(answer).slice(0, 500)}`);
      if (i >= 2) latencies.push(performance.now() - started); // the first two warm up
    }
  } finally {
    await server.stop();
  }
  const p50 = percentile(latencies, 50);
  settings.log(`    API: 10,000-row PUT p50 ${p50.toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`);
  return { rows: ROWS, requests, p50, p99: percentile(latencies, 99), rowsPerSecond: ROWS / (p50 / 1000) };
}
