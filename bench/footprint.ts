/**
 * Figure 6, start-up: milliseconds from spawning `dist/src/main.js` to a 200 from
 * `/ready`, and the RSS then — on an empty database (start-up migrates it) and
 * on one holding a million delivery rows, filled here when the import figure did not run.
 * (RSS after the hot-read run comes from hotRead.ts.)
 */
import path from 'node:path';
import { seedAdUnits, writeCsv } from './ingest.ts';
import { createDatabase, migrated, type BenchDatabase, type Dialect } from './lib/databases.ts';
import { SEAMS_CLI, runToEnd } from './lib/processes.ts';
import { startSeams } from './lib/servers.ts';
import type { Settings } from './lib/settings.ts';
import { median, mib } from './lib/stats.ts';

export interface StartupResult {
  dialect: Dialect;
  label: string;
  rows: number;
  startMs: number;
  rss: number;
  /** Of the RSS: file pages (the node binary itself, mostly; shared by every Node process) and anonymous memory (V8's heap, malloc). */
  rssFile: number;
  rssAnon: number;
}

type Start = Pick<StartupResult, 'startMs' | 'rss' | 'rssFile' | 'rssAnon'>;

async function startOnce(db: BenchDatabase, log: string): Promise<Start> {
  const server = await startSeams(db.env, { logFile: path.join(db.dataDir, log), pinnedFromStart: true });
  const memory = server.proc.memory()!;
  await server.stop();
  return { startMs: server.startMs, rss: memory.rss, rssFile: memory.file, rssAnon: memory.anon };
}

/** Fresh, empty databases each time: every start-up migrates. */
export async function startupEmpty(dialect: Dialect, settings: Settings): Promise<StartupResult> {
  const runs: Start[] = [];
  for (let r = 0; r < settings.processRounds; r++) {
    const db = await createDatabase(dialect, 'empty');
    try {
      runs.push(await startOnce(db, 'startup-empty.log'));
    } finally {
      await db.drop();
    }
  }
  return summarize(dialect, 'empty (migrations run at start)', 0, runs, settings);
}

export async function startupFull(db: BenchDatabase, rows: number, settings: Settings): Promise<StartupResult> {
  const runs: Start[] = [];
  for (let r = 0; r < settings.processRounds; r++) runs.push(await startOnce(db, 'startup-full.log'));
  return summarize(db.dialect, `${(rows / 1e6).toFixed(1)} M delivery rows`, rows, runs, settings);
}

function summarize(dialect: Dialect, label: string, rows: number, runs: Start[], settings: Settings): StartupResult {
  const of = (key: keyof Start) => median(runs.map((r) => r[key]));
  const result = { dialect, label, rows, startMs: of('startMs'), rss: of('rss'), rssFile: of('rssFile'), rssAnon: of('rssAnon') };
  settings.log(
    `  start-up on ${dialect}, ${label}: ${result.startMs.toFixed(0)} ms to /ready, RSS ${mib(result.rss).toFixed(0)} MiB ` +
      `(${mib(result.rssFile).toFixed(0)} MiB file pages, ${mib(result.rssAnon).toFixed(0)} MiB anonymous)`,
  );
  return result;
}

/** A database of `rows` delivery rows without timing anything (start-up only). */
export async function fillDeliveries(db: BenchDatabase, rows: number, scratch: string, settings: Settings): Promise<void> {
  const app = await migrated(db);
  const units = await seedAdUnits(app.databases.get('operations')!.knex);
  await app.close();
  const csv = path.join(scratch, 'fill.csv');
  writeCsv(csv, units, rows);
  const run = await runToEnd(SEAMS_CLI, ['import', 'deliveries', csv], { env: { ...db.env, LOG_LEVEL: 'warn' } });
  if (run.code !== 0) throw new Error(`filling the database failed:\n${run.output.slice(-2000)}`);
  settings.log(`  filled a ${db.dialect} database with ${rows.toLocaleString('en-US')} delivery rows`);
}
