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
import type { Settings } from './lib/settings.ts';
import { median } from './lib/stats.ts';

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
  /** Split ÷ monolith, accounts per second. */
  ratio: number;
}

export interface IssueHop {
  /** Counted issues per topology and round, after `uncounted` ones that warm the path up. */
  issuesPerRound: number;
  uncounted: number;
  /** Latencies; cpuUsPerRequest: the servers' CPU per issue, its event's delivery included. */
  comparison: Comparison;
  /** Split p50 − monolith p50: one `closeMonth` over HTTP. */
  addedMs: number;
}

export interface BillingHop {
  run: RunHop;
  issue: IssueHop;
}

export async function billingHop(dialect: Dialect, settings: Settings): Promise<BillingHop> {
  const publishers = settings.quick ? 2_000 : 10_000;
  const issues = settings.quick ? 50 : 200;
  // --quick: one run each after the warm-up (the suite stays under 3 minutes).
  const roundCount = settings.quick ? 1 : settings.rounds;
  const period = monthBefore(new Date().toISOString().slice(0, 7), 1);
  settings.log(`  invoice run and issue on ${dialect}: monolith vs split (${publishers.toLocaleString('en-US')} publishers each)`);
  const topologies: BillingTopology[] = [];
  try {
    for (const name of ['monolith', 'split over HTTP'] as const) topologies.push(await prepare(dialect, name, publishers, period));
    const perName = <T>() => Object.fromEntries(topologies.map((c) => [c.name, [] as T[]]));
    const [ms, cpu, rounds] = [perName<number>(), perName<number>(), perName<LoadResult>()];
    // A first run warms each process up (its code paths, its connections to the other process).
    for (const c of topologies) await runMonth(c, period, publishers);
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
    const run = { publishers, pages: Math.ceil(publishers / 500), ms, medianMs, cpuMs: cpu, medianCpuMs, ratio: medianMs.monolith! / medianMs['split over HTTP']! };
    const comparison = { rounds, median: mediansOf(rounds) };
    const addedMs = comparison.median['split over HTTP']!.p50 - comparison.median.monolith!.p50;
    settings.log(`    → run: split ${run.ratio.toFixed(2)}× the monolith's pace; issue: the hop adds ${addedMs.toFixed(2)} ms at p50`);
    return { run, issue: { issuesPerRound: issues, uncounted: UNCOUNTED_ISSUES, comparison, addedMs } };
  } finally {
    for (const c of topologies) await c.stop();
  }
}

