/**
 * Figures 2b and 2c, where the hop is now: synchronous calls run one way,
 * Billing → Operations. An invoice run calls `earningsForMonth` once per page
 * of 500 accounts (background work: what counts is how fast the run goes), and
 * issuing an invoice calls `closeMonth` once (a request: what counts is the
 * latency the call adds). Monolith vs split over HTTP, each on its own copy of
 * the same data so that neither claims the other's runs or dispatches the
 * other's events; every server process on the one server core, as in 2a. The
 * servers' CPU time is taken beside the clock: it leaves out the time other
 * processes on a busy machine held the core.
 */
import { UNCOUNTED_ISSUES, issueDrafts, prepare, runMonth, type BillingTopology } from './lib/billingTopology.ts';
import type { Dialect } from './lib/databases.ts';
import { mediansOf, type Comparison, type LoadResult } from './lib/load.ts';
import { monthBefore } from './lib/seedRead.ts';
import { startedTogether } from './lib/servers.ts';
import type { Settings } from './lib/settings.ts';
import { fmtSpread, median, spreadOf, type Spread } from './lib/stats.ts';
import { describeWarmUp, warmUntilSteady } from './lib/warmUp.ts';

export interface RunHop {
  publishers: number;
  /** Earnings calls per run: one per page of 500 accounts. */
  pages: number;
  /** Each topology's runs, claim to finish (the run's own startedAt → finishedAt), in ms. */
  ms: Record<string, number[]>;
  medianMs: Record<string, number>;
  /** The servers' CPU time over each run (all of the topology's processes), in ms. */
  cpuMs: Record<string, number[]>;
  medianCpuMs: Record<string, number>;
  /** Warm-up runs per topology, accounts/s, until the pace stopped rising. */
  warmup: Record<string, number[]>;
  /** Split ÷ monolith, accounts per second, round by round; the ratio is its median. */
  spread: Spread;
  ratio: number;
}

export interface IssueHop {
  /** Counted issues per topology and round, after `uncounted` ones that warm the path up. */
  issuesPerRound: number;
  uncounted: number;
  /** Latencies; cpuUsPerRequest: the servers' CPU per issue, its event's delivery included. */
  comparison: Comparison;
  /** Split p50 − monolith p50, round by round: one `closeMonth` over HTTP; addedMs is its median. */
  addedSpread: Spread;
  addedMs: number;
}

export interface BillingHop {
  run: RunHop;
  issue: IssueHop;
}

/** At most this many warm-up runs per topology in a full run (a run of 10,000 publishers takes seconds). */
const WARMUP_RUNS = 4;

export async function billingHop(dialect: Dialect, settings: Settings): Promise<BillingHop> {
  const publishers = settings.quick ? 1_000 : 10_000;
  const issues = settings.quick ? 30 : 200;
  // --quick: one warm-up run and one measured run each (the suite stays under 3 minutes).
  const roundCount = settings.quick ? 1 : settings.rounds;
  const warmupRuns = settings.quick ? 1 : WARMUP_RUNS;
  const period = monthBefore(new Date().toISOString().slice(0, 7), 1);
  settings.log(`  invoice run and issue on ${dialect}: monolith vs split (${publishers.toLocaleString('en-US')} publishers each)`);
  const topologies: BillingTopology[] = [];
  try {
    topologies.push(
      ...(await startedTogether([
        prepare(dialect, 'monolith', publishers, period),
        prepare(dialect, 'split over HTTP', publishers, period),
      ] as const)),
    );
    const perName = <T>() => Object.fromEntries(topologies.map((c) => [c.name, [] as T[]]));
    const [ms, cpu, rounds] = [perName<number>(), perName<number>(), perName<LoadResult>()];
    // Warm-up runs (code paths, connections to the other process) until the pace stops rising.
    const warmup: Record<string, number[]> = {};
    for (const c of topologies) {
      warmup[c.name] = await warmUntilSteady(async () => publishers / ((await runMonth(c, period, publishers)).ms / 1000), warmupRuns);
      settings.log(`    warm-up ${c.name}: ${describeWarmUp(warmup[c.name]!, warmupRuns, 'accounts/s')}`);
    }
    for (let round = 0; round < roundCount; round++) {
      for (const c of round % 2 === 0 ? topologies : [...topologies].reverse()) {
        const timed = await runMonth(c, period, publishers);
        ms[c.name]!.push(timed.ms);
        cpu[c.name]!.push(timed.cpuMs);
        const issued = await issueDrafts(c, issues);
        rounds[c.name]!.push(issued);
        settings.log(
          `    round ${round + 1} ${c.name}: run ${(timed.ms / 1000).toFixed(2)} s (CPU ${(timed.cpuMs / 1000).toFixed(2)} s); ` +
            `issue p50 ${issued.p50.toFixed(1)} ms, p99 ${issued.p99.toFixed(1)} ms, CPU ${(issued.cpuUsPerRequest! / 1000).toFixed(1)} ms each`,
        );
      }
    }
    const medians = (values: Record<string, number[]>) => Object.fromEntries(Object.entries(values).map(([name, v]) => [name, median(v)]));
    const [medianMs, medianCpuMs] = [medians(ms), medians(cpu)];
    const spread = spreadOf(ms.monolith!.map((m, i) => m / ms['split over HTTP']![i]!));
    // The run's page: 1,000 accounts (Billing's DEFAULT_RUN_OPTIONS), one earnings call each.
    const pages = Math.ceil(publishers / 1_000);
    const run = { publishers, pages, ms, medianMs, cpuMs: cpu, medianCpuMs, warmup, spread, ratio: spread.median };
    const comparison = { warmup: {}, rounds, median: mediansOf(rounds) };
    const addedSpread = spreadOf(rounds['split over HTTP']!.map((split, i) => split.p50 - rounds.monolith![i]!.p50));
    const added = fmtSpread(addedSpread, 2, ' ms');
    settings.log(`    → run: split ${fmtSpread(spread)} the monolith's pace; issue: the hop adds ${added} at p50`);
    const issue = { issuesPerRound: issues, uncounted: UNCOUNTED_ISSUES, comparison, addedSpread, addedMs: addedSpread.median };
    return { run, issue };
  } finally {
    for (const c of topologies) await c.stop();
  }
}
