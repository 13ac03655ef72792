/**
 * Figure 1, the hot read path: `GET /v1/invoices?publisherId=` with a finance
 * token through all of seams (auth, validation, logging, Objection,
 * pagination) vs the bare Koa + knex app on the same database, in one run.
 * Also figure 6's RSS after start and after the run.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { BenchDatabase } from './lib/databases.ts';
import { compare, ratioSpread, type Comparison } from './lib/load.ts';
import { latestProfile, summarizeProfile, type ProfileSummary } from './lib/profile.ts';
import type { ReadData } from './lib/seedRead.ts';
import { startedTogether, startSeams, startServer } from './lib/servers.ts';
import type { Settings } from './lib/settings.ts';
import { load } from './lib/load.ts';
import { fmtSpread, type Spread } from './lib/stats.ts';

export interface HotReadResult {
  dialect: string;
  comparison: Comparison;
  /** seams ÷ bare Koa, req/s, round by round; the ratio is its median. */
  spread: Spread;
  ratio: number;
  rssAfterStart: number;
  rssAfterRun: number;
  startMs: number;
  profile: ProfileSummary | null;
}

const pathsFor = (data: ReadData) => data.publisherIds.map((id) => `/v1/invoices?publisherId=${id}`);

export async function hotRead(db: BenchDatabase, data: ReadData, settings: Settings): Promise<HotReadResult> {
  settings.log(`  hot read path on ${db.dialect}`);
  const [seams, bare] = await startedTogether([
    startSeams(db.env, { logFile: path.join(db.dataDir, 'seams-hot.log') }),
    startServer('bench/servers/bareKoa.ts', { env: db.env, readyPath: '/health' }),
  ] as const);
  try {
    const rssAfterStart = seams.proc.memory()!.rss;
    const headers = { authorization: `Bearer ${data.financeToken}` };
    // Same query, same answer: the two must agree before their speed is compared.
    const probe = pathsFor(data)[0]!;
    const [a, b] = await Promise.all([
      fetch(`${seams.url}${probe}`, { headers }).then((r) => r.json()),
      fetch(`${bare.url}${probe}`).then((r) => r.json()),
    ]);
    assert.deepEqual(a, b, 'seams and the bare Koa app answer the hot read differently');
    assert.equal((a as { data: unknown[] }).data.length, Math.min(20, 12));
    const comparison = await compare(
      [
        { name: 'seams', spec: { url: seams.url, paths: pathsFor(data), headers } },
        { name: 'bare Koa + knex', spec: { url: bare.url, paths: pathsFor(data) } },
      ],
      settings,
    );
    const rssAfterRun = seams.proc.memory()!.rss;
    const spread = ratioSpread(comparison, 'seams', 'bare Koa + knex');
    settings.log(`    → ratio ${fmtSpread(spread)}`);
    await seams.stop();
    let profile: ProfileSummary | null = null;
    if (settings.profile && !settings.quick) profile = await profileHotRead(db, data, settings);
    return { dialect: db.dialect, comparison, spread, ratio: spread.median, rssAfterStart, rssAfterRun, startMs: seams.startMs, profile };
  } finally {
    await Promise.all([seams.stop(), bare.stop()]);
  }
}

/** A separate, profiled server under the same load (profiling slows it, so its figures are not reported). */
async function profileHotRead(db: BenchDatabase, data: ReadData, settings: Settings): Promise<ProfileSummary | null> {
  const dir = path.join(db.dataDir, 'profile-hot');
  const seconds = settings.quick ? 4 : 8;
  const seams = await startSeams(db.env, { logFile: path.join(db.dataDir, 'seams-prof.log'), profileDir: dir });
  try {
    await load({ url: seams.url, paths: pathsFor(data), headers: { authorization: `Bearer ${data.financeToken}` }, seconds });
  } finally {
    await seams.stop();
  }
  const file = latestProfile(dir);
  if (file && process.env.BENCH_KEEP_PROFILE) fs.copyFileSync(file, process.env.BENCH_KEEP_PROFILE);
  // The steady state only: the middle of the load, not start-up (module loading) or shutdown.
  return file ? summarizeProfile(file, 15, { lastMs: (seconds - 2) * 1000, skipEndMs: 1_000 }) : null;
}
