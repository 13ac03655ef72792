/**
 * `npm run bench` — the performance suite of issue 8: every figure next to its
 * floor measured in the same run on this machine, a table on stdout, and
 * docs/performance.md + docs/performance-scaling.svg rewritten.
 *
 *   npm run bench                 everything (26 minutes on this 2-core machine, Node 20)
 *   npm run bench -- --quick      smaller sizes and shorter rounds (under 3 minutes); prints, writes no docs
 *   npm run bench -- --only hop   some figures only (hot, hop, ingest, run, lint, startup); prints, writes no docs
 *   npm run bench:hop             the cost of the hop alone (issue 6, item 7)
 *   --only hop --replace-figure   also replaces figure 2 in docs/performance.md, labelled with its own date and load
 *   --no-profile                  skip the CPU profiles (taken outside the measured rounds)
 *   --accept-load                 write the docs even when a figure started on a busy machine (the page says so);
 *                                 without it such a run prints its figures and leaves the docs as they are
 *   --report FILE                 rewrite the docs from the figures a run saved (its last line names the file;
 *                                 with --replace-figure, figure 2 only from a saved `--only hop` run)
 *   --also FILE                   the goals table also shows the figures a run on another Node version saved
 *                                 (e.g. Node 24: PATH and npm_config_nodedir as .ci/run sets them, in a copy of the tree)
 *   BENCH_KEEP_PROFILE=FILE       keep the hot-read server's raw .cpuprofile (open it in Chrome DevTools)
 *
 * PostgreSQL: BENCH_DATABASE_URL (or TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test) must let us create and drop databases;
 * without a reachable server the PostgreSQL figures are skipped and the report says so.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { hop } from './hop.ts';
import { hotRead } from './hotRead.ts';
import { ingest } from './ingest.ts';
import { invoiceRunAt } from './invoiceRun.ts';
import { lint } from './lint.ts';
import { fillDeliveries, startupEmpty, startupFull } from './footprint.ts';
import { createDatabase, dropAll, migrated, postgresAvailable, type Dialect } from './lib/databases.ts';
import { stopLoadGenerator } from './lib/load.ts';
import { describeMachine } from './lib/machine.ts';
import { fmtLoad, underLoadWatch } from './lib/machineLoad.ts';
import { databaseName } from './lib/markdown.ts';
import { buildSeams } from './lib/processes.ts';
import { seedReadData } from './lib/seedRead.ts';
import { settingsFrom, type Settings } from './lib/settings.ts';
import { writeReport } from './report.ts';
import { replaceHopFigure } from './reportReplace.ts';
import { printTable } from './reportTable.ts';
import { nodeMajor, refusalOf, type Results } from './results.ts';

const FIGURES = ['hot', 'hop', 'ingest', 'run', 'lint', 'startup'] as const;

function selected(argv: string[]): Set<string> {
  const at = argv.indexOf('--only');
  if (at < 0) return new Set(FIGURES);
  const names = (argv[at + 1] ?? '').split(',').filter(Boolean);
  for (const name of names)
    if (!(FIGURES as readonly string[]).includes(name)) throw new Error(`--only takes ${FIGURES.join(', ')}; got ${name}`);
  return new Set(names);
}

/** Writes the docs unless a figure started on a busy machine; --accept-load writes them anyway, and the page says so. */
async function publish(
  results: Results,
  settings: Settings,
  write: () => Promise<string[]>,
  other: Results | null = null,
): Promise<string[] | null> {
  const otherRefusal = other ? refusalOf(other) : null;
  const refusal = [refusalOf(results), otherRefusal && `the ${nodeMajor(other!)} run: ${otherRefusal}`].filter(Boolean).join('; ') || null;
  if (refusal && !settings.acceptLoad) {
    settings.log(`NOT writing docs/performance.md: ${refusal}. Run again on a quiet machine, or pass --accept-load to write it anyway.`);
    process.exitCode = 2;
    return null;
  }
  results.highLoad = refusal;
  return write();
}

/** The figures a run saved (its last line names the file). */
const readResults = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Results;

async function main(argv: string[]): Promise<void> {
  const settings: Settings = settingsFrom(argv);
  const replaceFigure = argv.includes('--replace-figure');
  const alsoAt = argv.indexOf('--also');
  const other = alsoAt >= 0 ? readResults(argv[alsoAt + 1]!) : null;
  const report = argv.indexOf('--report');
  if (report >= 0) {
    const results = readResults(argv[report + 1]!);
    printTable(results);
    const written = await publish(
      results,
      settings,
      async () => (replaceFigure ? [replaceHopFigure(results)] : writeReport(results, other)),
      other,
    );
    if (written) settings.log(`wrote ${written.join(', ')} from ${argv[report + 1]}`);
    return;
  }
  const only = selected(argv);
  const partial = only.size < FIGURES.length;
  if (replaceFigure && (only.size !== 1 || !only.has('hop')))
    throw new Error('--replace-figure goes with --only hop: only figure 2 stands alone on the page');
  const started = Date.now();
  buildSeams();
  const postgres = await postgresAvailable();
  // --quick measures the hop on SQLite only: its code is the same on both databases, and the PostgreSQL one alone takes ~45 s of the 3 minutes.
  const hopOn = (dialect: Dialect) => !(settings.quick && dialect === 'postgres');
  const dialects: Dialect[] = postgres ? ['sqlite', 'postgres'] : ['sqlite'];
  const sqliteVersion = (new Database(':memory:').prepare('select sqlite_version() as v').get() as { v: string }).v;
  const results: Results = {
    quick: settings.quick,
    machine: await describeMachine(postgres, sqliteVersion),
    startedAt: new Date().toISOString(),
    minutes: 0,
    loadAverage: { before: os.loadavg(), after: [] },
    figureLoads: [],
    highLoad: null,
    dialects,
    skipped: [
      ...(postgres ? [] : ['PostgreSQL (no server reachable at BENCH_DATABASE_URL / TEST_DATABASE_URL)']),
      ...(postgres && only.has('hop') && !hopOn('postgres') ? ['figure 2 (the hop) on PostgreSQL: --quick measures it on SQLite'] : []),
    ],
    hot: [],
    hop: [],
    ingest: [],
    runs: [],
    runSizes: settings.quick ? [500, 1_000, 2_500] : [1_000, 10_000, 100_000],
    lint: null,
    startup: [],
  };
  const m = results.machine;
  settings.log(
    `seams benchmarks${settings.quick ? ' (--quick)' : ''}: ${[...only].join(', ')} on ${dialects.join(' and ')}; ` +
      `${m.nproc} cores, Node.js ${m.node}, load average ${fmtLoad(os.loadavg())}`,
  );
  const watched = <T>(figure: string, measure: () => Promise<T>) => underLoadWatch(results.figureLoads, figure, settings, measure);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'seams_bench_'));
  try {
    // 1, 2 and 6 (RSS): one read data set per database, served by each server in turn.
    if (only.has('hot') || only.has('hop')) {
      for (const dialect of dialects) {
        const db = await createDatabase(dialect, 'read');
        try {
          const app = await migrated(db);
          const data = await seedReadData(db, app, { publishers: 200, invoicesEach: 12 });
          await app.close();
          const on = databaseName(dialect);
          if (only.has('hot')) results.hot.push(await watched(`1. hot read, ${on}`, () => hotRead(db, data, settings)));
          if (only.has('hop') && hopOn(dialect)) results.hop.push(await watched(`2. the hop, ${on}`, () => hop(db, data, settings)));
        } finally {
          await db.drop();
        }
      }
    }
    // 3 and 6 (start-up on a full database).
    if (only.has('ingest') || only.has('startup')) {
      for (const dialect of dialects) {
        const on = databaseName(dialect);
        if (only.has('startup')) results.startup.push(await watched(`6. start-up, empty, ${on}`, () => startupEmpty(dialect, settings)));
        const db = await createDatabase(dialect, 'ingest');
        try {
          const rows = settings.quick ? 50_000 : 1_000_000;
          if (only.has('ingest')) results.ingest.push(await watched(`3. bulk ingest, ${on}`, () => ingest(db, settings, rows, scratch)));
          if (only.has('startup')) {
            if (!only.has('ingest')) await fillDeliveries(db, rows, scratch, settings);
            const count = Number((await db.knex('operations')('delivery_reports').count({ n: '*' }))[0]!.n);
            results.startup.push(await watched(`6. start-up, full, ${on}`, () => startupFull(db, count, settings)));
          }
        } finally {
          await db.drop();
        }
      }
    }
    // 4.
    if (only.has('run')) {
      for (const dialect of dialects) {
        for (const [i, size] of results.runSizes.entries()) {
          const profile = settings.profile && !settings.quick && i === 1;
          const figure = `4. invoice run of ${size.toLocaleString('en-US')}, ${databaseName(dialect)}`;
          results.runs.push(await watched(figure, () => invoiceRunAt(dialect, size, settings, profile)));
        }
      }
    }
    // 5.
    if (only.has('lint')) results.lint = await watched('5. boundary lint', () => lint(settings));
  } finally {
    await stopLoadGenerator();
    await dropAll();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  results.minutes = (Date.now() - started) / 60_000;
  results.loadAverage.after = os.loadavg();
  // The raw figures, to re-render the report without measuring again (`--report FILE`).
  const kind = `${partial ? '-partial' : ''}${settings.quick ? '-quick' : ''}`;
  const saved = path.join(os.tmpdir(), `seams-bench-results-node${process.versions.node.split('.')[0]}${kind}.json`);
  fs.writeFileSync(saved, JSON.stringify(results));
  settings.log(`figures saved in ${saved}`);
  printTable(results);
  if (replaceFigure) {
    const written = await publish(results, settings, async () => [replaceHopFigure(results)]);
    if (written) settings.log(`replaced figure 2 in ${written.join(', ')}`);
  } else if (partial || settings.quick) {
    const which = settings.quick ? 'a --quick run' : 'a partial run';
    settings.log(`(${which}: docs/performance.md is left as it is; run \`npm run bench\` to regenerate it)`);
  } else {
    const written = await publish(results, settings, () => writeReport(results, other), other);
    if (written) settings.log(`wrote ${written.join(', ')} in ${results.minutes.toFixed(1)} min`);
  }
}

process.on('SIGINT', () => {
  void dropAll().finally(() => process.exit(130));
});

main(process.argv.slice(2)).catch(async (error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await dropAll();
  process.exit(1);
});
