/** Figure 2 in the report: the dashboard that no longer crosses, and the invoice run and issue that do. */
import { databaseName as db, seconds as s, table } from './lib/markdown.ts';
import { fmt, fmtSpread, type Spread } from './lib/stats.ts';
import { ISOLATED } from './hopDashboard.ts';
import { atLeast, type Goal } from './lib/verdict.ts';
import type { Results } from './results.ts';

const MONOLITH = 'monolith';
const SPLIT = 'split over HTTP';

/** Split ÷ monolith on the dashboard: nothing crosses, so the split should serve it as fast as the monolith (issue 17). */
export const DASHBOARD_GOAL = 0.9;

/**
 * The run's goal was set for the dashboard while it called Billing (split ≥
 * 0.6× the monolith). The dashboard crosses nothing now and has its own,
 * higher goal; the 0.6× bar applies where a call still crosses in bulk, the
 * invoice run's pace. Issuing is a latency, reported as the milliseconds the
 * call adds, without a goal.
 */
export const RUN_GOAL = 0.6;

export function hopGoals(r: Results): Goal[] {
  return r.hop.flatMap((h) => [
    {
      id: `hop-dashboard-${h.dialect}`,
      figure: `2. The hop, ${db(h.dialect)}`,
      text: `dashboard: split ≥ ${DASHBOARD_GOAL}× the monolith's req/s (nothing crosses)`,
      measured: fmtSpread(h.dashboard.spread),
      verdict: atLeast(h.dashboard.spread, DASHBOARD_GOAL),
    },
    ...(h.dashboard.isolatedSpread
      ? [
          {
            id: `hop-isolated-${h.dialect}`,
            figure: `2. The hop, ${db(h.dialect)}`,
            text: `dashboard: isolated services ≥ ${DASHBOARD_GOAL}× the monolith's req/s (each with its own store)`,
            measured: fmtSpread(h.dashboard.isolatedSpread),
            verdict: atLeast(h.dashboard.isolatedSpread, DASHBOARD_GOAL),
          },
        ]
      : []),
    {
      id: `hop-run-${h.dialect}`,
      figure: `2. The hop, ${db(h.dialect)}`,
      text: `split ≥ ${RUN_GOAL}× the monolith's accounts/s on an invoice run of ${fmt(h.run.publishers)} publishers (where calls cross)`,
      measured: fmtSpread(h.run.spread),
      verdict: atLeast(h.run.spread, RUN_GOAL),
    },
  ]);
}

/** Rows of the terminal table. */
export function hopRows(r: Results): string[][] {
  return r.hop.flatMap((h) => {
    const [dm, ds] = [h.dashboard.comparison.median[MONOLITH]!, h.dashboard.comparison.median[SPLIT]!];
    const [im, is] = [h.issue.comparison.median[MONOLITH]!, h.issue.comparison.median[SPLIT]!];
    return [
      [
        '2a dashboard req/s (split)',
        db(h.dialect),
        fmt(ds.rps),
        `${fmt(dm.rps)} (monolith)`,
        fmtSpread(h.dashboard.spread),
        `${fmt(ds.p50, 1)} ms`,
        `${fmt(ds.p99, 1)} ms`,
      ],
      [
        `2b invoice run ${fmt(h.run.publishers)} (split)`,
        db(h.dialect),
        s(h.run.medianMs[SPLIT]!),
        `${s(h.run.medianMs[MONOLITH]!)} (monolith)`,
        fmtSpread(h.run.spread),
        '',
        '',
      ],
      [
        '2c issue, one at a time (split)',
        db(h.dialect),
        `+${fmtSpread(h.issue.addedSpread, 2, ' ms')}`,
        `p50 ${fmt(im.p50, 2)} ms (monolith)`,
        '',
        `${fmt(is.p50, 2)} ms`,
        `${fmt(is.p99, 2)} ms`,
      ],
    ];
  });
}

export function hopSection(r: Results): string {
  const h0 = r.hop[0]!;
  const runsEach = h0.run.ms[MONOLITH]!.length;
  const dashboard = r.hop.flatMap((h) => {
    const median = h.dashboard.comparison.median;
    const row = (name: string, spread: Spread | undefined) => {
      const [a, b] = [median[MONOLITH]!, median[name]];
      if (!b || !spread) return [];
      const figures = [fmt(b.rps), `${fmt(b.p50, 1)} ms`, `${fmt(b.cpuUsPerRequest)} µs`, `**${fmtSpread(spread)}**`];
      return [[db(h.dialect), name, fmt(a.rps), `${fmt(a.p50, 1)} ms`, `${fmt(a.cpuUsPerRequest)} µs`, ...figures]];
    };
    return [...row(SPLIT, h.dashboard.spread), ...row(ISOLATED, h.dashboard.isolatedSpread)];
  });
  const runs = r.hop.map((h) => {
    const perCall = (figures: Record<string, number>) => `${fmt((figures[SPLIT]! - figures[MONOLITH]!) / h.run.pages, 1)} ms`;
    return [
      db(h.dialect),
      fmt(h.run.publishers),
      fmt(h.run.pages),
      s(h.run.medianMs[MONOLITH]!),
      s(h.run.medianCpuMs[MONOLITH]!),
      s(h.run.medianMs[SPLIT]!),
      s(h.run.medianCpuMs[SPLIT]!),
      perCall(h.run.medianMs),
      perCall(h.run.medianCpuMs),
      `**${fmtSpread(h.run.spread)}**`,
    ];
  });
  const issues = r.hop.map((h) => {
    const [a, b] = [h.issue.comparison.median[MONOLITH]!, h.issue.comparison.median[SPLIT]!];
    return [
      db(h.dialect),
      `${fmt(a.p50, 2)} ms`,
      `${fmt(a.p99, 2)} ms`,
      `${fmt(a.cpuUsPerRequest / 1000, 2)} ms`,
      `${fmt(b.p50, 2)} ms`,
      `${fmt(b.p99, 2)} ms`,
      `${fmt(b.cpuUsPerRequest / 1000, 2)} ms`,
      `**${fmtSpread(h.issue.addedSpread, 2, ' ms')}**`,
    ];
  });
  const warmupRuns = (h: Results['hop'][number]) =>
    Object.entries(h.run.warmup)
      .map(([name, runs]) => `${name} ${runs.length}`)
      .join(', ');
  const warmups = r.hop.map((h) => `${db(h.dialect)}: ${warmupRuns(h)}`).join('; ');
  const runRounds = r.hop.map(
    (h) => `${db(h.dialect)}: monolith ${h.run.ms[MONOLITH]!.map(s).join(' / ')}, split ${h.run.ms[SPLIT]!.map(s).join(' / ')}`,
  );
  return `## 2. The cost of the hop

Monolith: one process. Split: \`SEAMS_MODULES=operations SEAMS_REMOTE_BILLING=…\` and \`SEAMS_MODULES=billing SEAMS_REMOTE_OPERATIONS=…\` sharing the database and \`SEAMS_SERVICE_TOKEN\`, as in the README's "Extracting a module" — **all processes on the same single server core**, so a ratio is the whole CPU price of the hop: a second HTTP stack, the service-token check, the call validated against the contract on both ends. Synchronous calls run one way, Billing → Operations (\`earningsForMonth\`, \`closeMonth\`); Operations follows Billing through its events. CPU columns are the servers' own CPU time (user + system of all a topology's processes, from \`/proc\`, in 10 ms steps): it leaves out the time other processes held the core, which is most of what a busy machine does to the clock figures, though not all (they still share caches). \`npm run bench:hop\` runs this figure alone.

The first goal was set when the dashboard called Billing's facade: split ≥ ${RUN_GOAL}× the monolith. The dashboard no longer crosses (2a), so it is held to ≥ ${DASHBOARD_GOAL}× the monolith, and the ${RUN_GOAL}× bar applies where a call does cross in bulk, the invoice run (2b); issuing (2c) is one call on a request, reported as the latency it adds, without a goal. Ratios are taken round by round (both topologies ran in the same round, one after the other): the median, then the lowest and highest round.

### 2a. The dashboard: nothing crosses

\`GET /v1/publishers/{id}/dashboard\` with an ops token: Operations' month to date, and the latest invoices, balance and last payout from its own view of Billing's events (\`publisher_invoices\`, \`last_payments\`, seeded as those events leave them). The split's Operations process answers alone while its Billing process idles on the same core, so the ratio stays about 1; a clear drop would mean a call across came back. The split's CPU includes that idle process's background pollers (outbox, run queue, issue recovery), about 10 ms a second. Load as in figure 1${h0.dashboard.comparison.rounds[MONOLITH]!.length === 1 ? ', one round each (quick)' : ''}; the ratio is split ÷ monolith round by round.

The isolated services are the same split with Billing on a store of its own (its own SQLite folder or PostgreSQL database) and the two processes each other's token peers, as separate services run: nothing shared but the network.

${table(['database', 'topology', 'monolith req/s', 'p50', 'CPU per request', 'split req/s', 'p50', 'CPU per request', 'split ÷ monolith'], dashboard)}

### 2b. An invoice run: one \`earningsForMonth\` per page

A month's run of ${fmt(h0.run.publishers)} publishers (3 apps of one ad unit each, a month of daily delivery, seeded as in figure 4), queued with \`POST /v1/invoice-runs\` and executed by Billing's worker: one earnings call per page of 500 accounts, answering 500 publishers' earnings by app. Timed by the run itself, claim to finish (\`startedAt\` → \`finishedAt\`); each topology on its own copy of the data (so neither claims the other's runs), after warm-up runs until the pace stopped rising (${warmups}); ${runsEach === 1 ? 'one run each (quick)' : `${runsEach} runs each, alternating, medians; the ratio is monolith time ÷ split time, round by round`}.

${table(['database', 'publishers', 'earnings calls', 'monolith', 'CPU', 'split', 'CPU', 'added per call', 'CPU added per call', 'split ÷ monolith, accounts/s'], runs)}

Runs: ${runRounds.join('; ')}.

### 2c. Issuing an invoice: one \`closeMonth\` per request

\`PATCH /v1/invoices/{id}\` \`{"status":"issued"}\` with a finance token on the run's drafts, one request at a time (one connection, no queueing): Billing checks the draft and records the attempt, Operations closes the month through its facade, Billing issues. ${fmt(h0.issue.issuesPerRound)} issues per topology${runsEach === 1 ? '' : ' and round, rounds alternating, medians of the rounds (the added time: split p50 − monolith p50 round by round, its median and range)'}, after ${h0.issue.uncounted} uncounted. Each issue's \`InvoiceIssued\` event is delivered to Operations in the background, as in production (in the split a second request on Operations per issue, \`POST /internal/operations/events\`), sharing the core with the next issue; CPU per issue counts that delivery too, so the split's added CPU is both calls'.

${table(['database', 'monolith p50', 'p99', 'CPU per issue', 'split p50', 'p99', 'CPU per issue', 'added by the hop (p50)'], issues)}
`;
}

export const HOP_WHY: Record<string, string> = {
  'hop-dashboard':
    "**The dashboard split.** Nothing crosses: the split's Operations process answers from its own tables, as the monolith does. The split's idle Billing process shares the server core and its pollers take about 10 ms a second (about 1 %); the rest of the gap is not explained yet and is to be profiled before a reason is given here.",
  'hop-isolated':
    '**The dashboard, isolated services.** As the split: Operations answers from its own store alone, and the idle Billing process with its own store shares the server core.',
  'hop-run':
    "**The hop on an invoice run.** The split's two processes share the monolith's one core, so each page's earnings call adds, on top of the same Operations query: 500 publishers' earnings serialised to JSON and parsed back, a request through a second HTTP stack with its token check, and the call's input and output validated against the contract on both ends.",
};
