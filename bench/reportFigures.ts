/** The figures' sections of docs/performance.md (1 to 6) and the profiles behind them. */
import type { ProfileSummary } from './lib/profile.ts';
import { databaseName as db, seconds as s, table } from './lib/markdown.ts';
import { fmt, fmtSpread, mib } from './lib/stats.ts';
import { hopSection } from './reportHop.ts';
import type { Results } from './results.ts';

/** Each measured figure's section, in the page's order. */
export function figureSections(r: Results): string[] {
  const sections: string[] = [];
  if (r.hot.length > 0) {
    sections.push(`## 1. Hot read path

\`GET /v1/invoices?publisherId=…\` with a finance token (12 invoices of 3 lines each; one page). seams: token check (from the process's view of its tokens, the secret hashed on every request), role, query validation (Ajv), request log line (pino), metrics, security headers, the query, pagination. Floor: \`bench/servers/bareKoa.ts\`, Koa + @koa/router + knex running the same two queries and answering the same JSON (checked equal before timing).

${table(
  ['database', 'seams req/s', 'p50', 'p99', 'bare Koa + knex req/s', 'p50', 'p99', 'ratio'],
  r.hot.map((h) => {
    const a = h.comparison.median.seams!;
    const b = h.comparison.median['bare Koa + knex']!;
    return [
      db(h.dialect),
      fmt(a.rps),
      `${fmt(a.p50, 1)} ms`,
      `${fmt(a.p99, 1)} ms`,
      fmt(b.rps),
      `${fmt(b.p50, 1)} ms`,
      `${fmt(b.p99, 1)} ms`,
      `**${fmtSpread(h.spread)}**`,
    ];
  }),
)}

Ratios are seams ÷ bare round by round (both ran in the same round, one after the other): the median, then the lowest and highest round. Rounds (req/s): ${r.hot.map((h) => `${db(h.dialect)}: seams ${h.comparison.rounds.seams!.map((x) => fmt(x.rps)).join(' / ')}, bare ${h.comparison.rounds['bare Koa + knex']!.map((x) => fmt(x.rps)).join(' / ')}`).join('; ')}.
`);
  }
  if (r.hop.length > 0) sections.push(hopSection(r));
  if (r.ingest.length > 0) {
    sections.push(`## 3. Bulk ingest

\`npm run cli -- import deliveries FILE.csv\` (\`modules/operations/deliveryImport.ts\`) of ${fmt(r.ingest[0]!.rows)} rows (2,000 ad units × ${fmt(r.ingest[0]!.rows / 2000)} days) into an empty table, vs the floor on the same file and table: better-sqlite3 with one prepared 500-row INSERT in one transaction (\`bench/floors/sqliteInsert.ts\`), PostgreSQL \`COPY FROM STDIN\` through pg-copy-streams (\`bench/floors/postgresCopy.ts\`). Both are whole processes, start to exit; ${r.quick ? '1 round' : `medians of ${r.ingest[0]!.seams.ms.length} alternating rounds, the ratio taken round by round`}.

${table(
  ['database', 'seams rows/s', 'floor rows/s', 'ratio', 'seams runs', 'floor runs'],
  r.ingest.map((i) => [
    db(i.dialect),
    fmt(i.seams.rowsPerSecond),
    fmt(i.floor.rowsPerSecond),
    `**${fmtSpread(i.spread)}**`,
    i.seams.ms.map(s).join(' / '),
    i.floor.ms.map(s).join(' / '),
  ]),
)}

The API path: \`PUT /v1/delivery-reports\` with 10,000 rows (≈ 1.1 MB of JSON), ${r.ingest[0]!.api.requests} requests one after another into the table the import filled:

${table(
  ['database', 'p50', 'p99', 'rows/s at p50'],
  r.ingest.map((i) => [db(i.dialect), `${fmt(i.api.p50)} ms`, `${fmt(i.api.p99)} ms`, fmt(i.api.rowsPerSecond)]),
)}
`);
  }
  if (r.runs.length > 0) {
    sections.push(`## 4. Invoice run scale

\`npm run cli -- invoices run --period YYYY-MM\` (last month) over N publishers, each with 3 apps of one ad unit and a month of daily delivery (seeded with SQL), vs the floor (\`bench/floors/invoiceRun.ts\`: one aggregation of the month, then one bulk insert of the invoices and one of their lines, in one transaction).

![scaling runs](performance-scaling.svg)

${table(
  ['database', 'publishers', 'delivery rows', 'seams', 'peak RSS', 'floor', 'floor peak RSS', 'seams ÷ floor'],
  r.runs.map((p) => [
    db(p.dialect),
    fmt(p.publishers),
    fmt(p.deliveryRows),
    s(p.seamsMs),
    `${fmt(mib(p.seamsPeakRss))} MiB`,
    s(p.floorMs),
    `${fmt(mib(p.floorPeakRss))} MiB`,
    fmt(p.ratio, 2),
  ]),
)}
`);
  }
  if (r.lint) {
    const l = r.lint;
    sections.push(`## 5. Boundary lint

\`lintBoundaries()\` of \`src/tools/lintBoundaries.ts\` timed inside a fresh process (${r.quick ? 'quick: the lint that fills an empty cache stands for the cold one' : 'cold = `cache: false`; 3 rounds, medians'}); cached = a re-lint of the unchanged tree from dependency-cruiser's cache. Generated trees: 10 modules, each a contract, an index and features of 10 files importing two siblings, the kernel and another module's contract (\`bench/lint.ts\`).

${table(
  ['tree', 'files', 'cold', 'cached', 'cached ÷ cold'],
  [
    ['this project', l.project.files, s(l.project.coldMs), s(l.project.cachedMs), fmt(l.project.cachedMs / l.project.coldMs, 2)],
    ...l.trees.map((t) => ['generated', fmt(t.files), s(t.coldMs), s(t.cachedMs), fmt(t.cachedMs / t.coldMs, 2)]),
  ],
)}

\`npm run lint:boundaries\` as a developer runs it (npm, tsx start-up and the cached lint): ${s(l.project.npmRunMs)}. Growth from ${fmt(l.trees[1]!.files)} to ${fmt(l.trees[2]!.files)} files: ${fmt(l.growth, 2)}×.
`);
  }
  if (r.hot.length > 0 || r.startup.length > 0) {
    sections.push(`## 6. Footprint

${table(
  ['database', 'RSS after start', 'RSS after the hot-read run'],
  r.hot.map((h) => [db(h.dialect), `${fmt(mib(h.rssAfterStart))} MiB`, `${fmt(mib(h.rssAfterRun))} MiB`]),
)}

${
  r.startup.length > 0
    ? table(
        ['database', 'database holds', 'spawn → 200 from /ready', 'RSS then', 'of which file pages', 'of which anonymous'],
        r.startup.map((u) => [
          db(u.dialect),
          u.label,
          `${fmt(u.startMs)} ms`,
          `${fmt(mib(u.rss))} MiB`,
          u.rssFile === undefined ? '–' : `${fmt(mib(u.rssFile))} MiB`,
          u.rssAnon === undefined ? '–' : `${fmt(mib(u.rssAnon))} MiB`,
        ]),
      ) + RSS_PARTS
    : ''
}
`);
  }
  return sections;
}

const RSS_PARTS = `

File pages are mostly the node binary's own code as far as it ran (shared by every Node process on the machine; Node 24's
binary maps more than Node 20's); anonymous memory is V8's heap (its young generation alone reserves up to 32 MiB once
start-up has allocated through it), the compiled code, better-sqlite3's and pg's buffers, and malloc. Modules a process
may never need (the PDF renderer, the broker, HTTP clients of other processes, the mailer) load on first use.
`;

/** The CPU profiles of the hot read, the import and one invoice run, or a line saying why there are none. */
export function profilesSection(r: Results): string {
  const profiles = [
    ...r.hot.map((h) =>
      profileSection(`Hot read path, ${db(h.dialect)} (seams server under the same load; steady state, start-up left out)`, h.profile),
    ),
    ...r.ingest.map((i) => profileSection(`CLI import, ${db(i.dialect)}`, i.profile)),
    ...r.runs
      .filter((p) => p.profile)
      .map((p) => profileSection(`Invoice run, ${fmt(p.publishers)} publishers, ${db(p.dialect)}`, p.profile)),
  ].filter(Boolean);
  return `## Profiles

\`node --cpu-prof\` of the same workloads, taken outside the measured rounds (profiling slows the process down), summarised by \`bench/lib/profile.ts\`: self time by where the code lives (this repository's folders, each npm package, Node's own modules, GC), and the hottest functions. Native time (SQLite's C code, \`writev\`) shows up under the JavaScript function that called it.

${profiles.length > 0 ? profiles.join('\n') : '_Not profiled in this run (`--quick` or `--no-profile`)._'}
`;
}

function profileSection(title: string, p: ProfileSummary | null): string {
  if (!p) return '';
  return `#### ${title}

Busy (non-idle) CPU time sampled: ${fmt(p.busyMs)} ms.

${table(
  ['where the code lives', 'share of busy time'],
  p.byArea.slice(0, 12).map((a) => [a.area, `${fmt(a.share * 100, 1)} %`]),
)}

${table(
  ['hottest functions (self time)', 'file', 'share'],
  p.topFunctions.slice(0, 12).map((f) => [`\`${f.name}\``, f.where ? `\`${f.where}\`` : '', `${fmt(f.share * 100, 1)} %`]),
)}
`;
}
