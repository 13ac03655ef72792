/**
 * Figure 6, start-up: milliseconds from spawning `src/main.ts` to a 200 from
 * `/ready`, and the RSS then — on an empty database (start-up migrates it) and
 * on one holding a million delivery rows. (RSS after the hot-read run comes from hotRead.ts.)
 */
import path from 'node:path';
import { createDatabase, type BenchDatabase, type Dialect } from './lib/databases.ts';
import { startSeams } from './lib/servers.ts';
import type { Settings } from './lib/settings.ts';
import { median } from './lib/stats.ts';

export interface StartupResult {
  dialect: Dialect;
  label: string;
  rows: number;
  startMs: number;
  rss: number;
}

async function startOnce(db: BenchDatabase, log: string): Promise<{ startMs: number; rss: number }> {
  const server = await startSeams(db.env, { logFile: path.join(db.dataDir, log) });
  const rss = server.proc.memory()!.rss;
  await server.stop();
  return { startMs: server.startMs, rss };
}

/** Fresh, empty databases each time: every start-up migrates. */
export async function startupEmpty(dialect: Dialect, settings: Settings): Promise<StartupResult> {
  const runs: { startMs: number; rss: number }[] = [];
  for (let r = 0; r < (settings.quick ? 1 : settings.rounds); r++) {
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
  const runs: { startMs: number; rss: number }[] = [];
  for (let r = 0; r < (settings.quick ? 1 : settings.rounds); r++) runs.push(await startOnce(db, 'startup-full.log'));
  return summarize(db.dialect, `${(rows / 1e6).toFixed(1)} M delivery rows`, rows, runs, settings);
}

function summarize(dialect: Dialect, label: string, rows: number, runs: { startMs: number; rss: number }[], settings: Settings): StartupResult {
  const result = { dialect, label, rows, startMs: median(runs.map((r) => r.startMs)), rss: median(runs.map((r) => r.rss)) };
  settings.log(`  start-up on ${dialect}, ${label}: ${result.startMs.toFixed(0)} ms to /ready, RSS ${(result.rss / 2 ** 20).toFixed(0)} MiB`);
  return result;
}
