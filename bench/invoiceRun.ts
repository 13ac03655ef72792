/**
 * Figure 4, invoice run scale: N publishers (3 apps with one ad unit each, a
 * month of daily delivery, seeded with SQL), then `npm run cli -- invoices run
 * --period` timed with its peak RSS, and the floor (one aggregation + one bulk
 * insert) on the same data in the same run.
 */
import path from 'node:path';
import type { Knex } from 'knex';
import { createDatabase, migrated, type BenchDatabase, type Dialect } from './lib/databases.ts';
import { ROOT, runToEnd } from './lib/processes.ts';
import { latestProfile, summarizeProfile, type ProfileSummary } from './lib/profile.ts';
import type { Settings } from './lib/settings.ts';
import { monthBefore } from './lib/seedRead.ts';

export interface InvoiceRunPoint {
  dialect: Dialect;
  publishers: number;
  deliveryRows: number;
  seamsMs: number;
  seamsPeakRss: number;
  floorMs: number;
  floorPeakRss: number;
  ratio: number;
  profile: ProfileSummary | null;
}

const pad = (column: string, dialect: Dialect) => (dialect === 'sqlite' ? `printf('%08d', ${column})` : `lpad(${column}::text, 8, '0')`);

/** Everything with SQL: a series 0..n-1 joined out into publishers, apps, ad units, accounts and daily rows. */
export async function seed(db: BenchDatabase, ops: Knex, billing: Knex, publishers: number, period: string): Promise<number> {
  const [year, month] = period.split('-').map(Number) as [number, number];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const stamp = new Date().toISOString();
  const series = (n: number, name: string) =>
    db.dialect === 'sqlite' ? `WITH RECURSIVE s(${name}) AS (SELECT 0 UNION ALL SELECT ${name} + 1 FROM s WHERE ${name} < ${n - 1}) ` : '';
  const from = (n: number, name: string) => (db.dialect === 'sqlite' ? 's' : `generate_series(0, ${n - 1}) AS s(${name})`);
  const withSeries = (n: number, name: string, insert: string, select: string) =>
    db.dialect === 'sqlite' ? `${series(n, name)}${insert} ${select} FROM s` : `${insert} ${select} FROM ${from(n, name)}`;
  const id = (prefix: string, expr: string) => `'${prefix}_' || ${pad(expr, db.dialect)}`;
  await ops.raw(
    withSeries(
      publishers,
      'i',
      'INSERT INTO publishers (id, name, contact_email, country, revenue_share_bps, status, version, created_at, updated_at)',
      `SELECT ${id('pub', 'i')}, 'Publisher ' || i, 'p' || i || '@publisher.example', 'FI', 6000 + (i % 3000), 'active', 1, '${stamp}', '${stamp}'`,
    ),
  );
  await ops.raw(
    withSeries(
      publishers * 3,
      'i',
      'INSERT INTO apps (id, publisher_id, name, platform, bundle_id, created_at)',
      `SELECT ${id('app', 'i')}, ${id('pub', db.dialect === 'sqlite' ? 'i / 3' : '(i / 3)')}, 'Game ' || i, 'android', 'com.bench.game' || i, '${stamp}'`,
    ),
  );
  await ops.raw(
    withSeries(
      publishers * 3,
      'i',
      'INSERT INTO ad_units (id, app_id, name, format, floor_cpm_micros, created_at)',
      `SELECT ${id('adu', 'i')}, ${id('app', 'i')}, 'feed', 'native', 0, '${stamp}'`,
    ),
  );
  const dayExpr = db.dialect === 'sqlite' ? `printf('${period}-%02d', d.k)` : `'${period}-' || lpad(d.k::text, 2, '0')`;
  const daysFrom =
    db.dialect === 'sqlite'
      ? `(WITH RECURSIVE d(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM d WHERE k < ${days}) SELECT k FROM d) AS d`
      : `generate_series(1, ${days}) AS d(k)`;
  await ops.raw(
    `INSERT INTO delivery_reports (ad_unit_id, day, impressions, clicks, revenue_micros)
     SELECT u.id, ${dayExpr}, 10000 + d.k, 100, 20000000 + 1000 * d.k FROM ad_units u CROSS JOIN ${daysFrom}`,
  );
  await billing.raw(
    withSeries(
      publishers,
      'i',
      'INSERT INTO billing_accounts (publisher_id, publisher_name, contact_email, currency, payment_terms_days, version, created_at, updated_at)',
      `SELECT ${id('pub', 'i')}, 'Publisher ' || i, 'p' || i || '@publisher.example', 'USD', 30, 1, '${stamp}', '${stamp}'`,
    ),
  );
  if (db.dialect === 'postgres') {
    await ops.raw('ANALYZE');
    await billing.raw('ANALYZE');
  }
  return publishers * 3 * days;
}

async function clearInvoices(billing: Knex): Promise<void> {
  await billing('invoice_lines').delete();
  await billing('invoices').delete();
  await billing('invoice_runs').delete();
}

export async function invoiceRunAt(dialect: Dialect, publishers: number, settings: Settings, profile = false): Promise<InvoiceRunPoint> {
  const db = await createDatabase(dialect, 'run');
  try {
    const app = await migrated(db);
    const ops = app.databases.get('operations')!.knex;
    const billing = app.databases.get('billing')!.knex;
    const period = monthBefore(new Date().toISOString().slice(0, 7), 1);
    const seeded = performance.now();
    const deliveryRows = await seed(db, ops, billing, publishers, period);
    settings.log(
      `  invoice run, ${publishers.toLocaleString('en-US')} publishers on ${dialect} (${deliveryRows.toLocaleString('en-US')} delivery rows seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s)`,
    );
    const where = dialect === 'sqlite' ? db.dataDir : db.databaseUrl!;
    const floor = await runToEnd(path.join(ROOT, 'bench/floors/invoiceRun.ts'), [dialect, where, period], {});
    if (floor.code !== 0 || Number(floor.output.trim()) !== publishers)
      throw new Error(`invoice run floor failed (${floor.code}): ${floor.output.slice(-3000)}`);
    await clearInvoices(billing);
    await app.close();
    const seams = await runToEnd(path.join(ROOT, 'src/cli.ts'), ['invoices', 'run', '--period', period], {
      env: { ...db.env, LOG_LEVEL: 'warn' },
    });
    if (seams.code !== 0) throw new Error(`seams invoice run failed (${seams.code}):\n${seams.output.slice(-3000)}`);
    const written = Number((await db.knex('billing')('invoices').count({ n: '*' }))[0]!.n);
    if (written !== publishers) throw new Error(`seams invoice run wrote ${written} invoices for ${publishers} publishers`);
    let summary: ProfileSummary | null = null;
    if (profile) {
      // Outside the measurement: the same run again under the profiler.
      await clearInvoices(db.knex('billing'));
      const dir = path.join(db.dataDir, 'profile-run');
      const again = await runToEnd(path.join(ROOT, 'src/cli.ts'), ['invoices', 'run', '--period', period], {
        env: { ...db.env, LOG_LEVEL: 'warn' },
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      });
      const file = latestProfile(dir);
      if (again.code === 0 && file) summary = summarizeProfile(file);
    }
    const point = {
      dialect,
      publishers,
      deliveryRows,
      seamsMs: seams.ms,
      seamsPeakRss: seams.peakRss,
      floorMs: floor.ms,
      floorPeakRss: floor.peakRss,
      ratio: seams.ms / floor.ms,
      profile: summary,
    };
    settings.log(
      `    seams ${(seams.ms / 1000).toFixed(1)} s, peak ${(seams.peakRss / 2 ** 20).toFixed(0)} MiB; floor ${(floor.ms / 1000).toFixed(1)} s → ${point.ratio.toFixed(2)}×`,
    );
    return point;
  } finally {
    await db.drop();
  }
}
