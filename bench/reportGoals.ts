/** The goals of issue 17, judged against a run's figures (bench/lib/verdict.ts says how). */
import { databaseName as db } from './lib/markdown.ts';
import { fmt, fmtSpread, mib, spreadOf } from './lib/stats.ts';
import { atLeast, atMost, type Goal, type Verdict } from './lib/verdict.ts';
import { hopGoals } from './reportHop.ts';
import type { Results } from './results.ts';

const one = (value: number) => spreadOf([value]);

export const GOALS = {
  hotRead: 0.9,
  tail: 3,
  ingest: 0.8,
  runRatio: 1.5,
  startupRssMiB: 120,
  startupMs: 1_000,
};

export function judge(r: Results): Goal[] {
  const goals: Goal[] = [];
  for (const h of r.hot) {
    const seams = h.comparison.median.seams!;
    const figure = `1. Hot read, ${db(h.dialect)}`;
    const text = `seams ≥ ${GOALS.hotRead}× the bare Koa + knex app`;
    goals.push({ id: `hot-ratio-${h.dialect}`, figure, text, measured: fmtSpread(h.spread), verdict: atLeast(h.spread, GOALS.hotRead) });
    const tail = seams.p99 / seams.p50;
    const measured = `${fmt(tail, 1)}× (p50 ${fmt(seams.p50, 1)} ms, p99 ${fmt(seams.p99, 1)} ms)`;
    goals.push({ id: `hot-tail-${h.dialect}`, figure, text: `p99 ≤ ${GOALS.tail}× p50`, measured, verdict: atMost(one(tail), GOALS.tail) });
  }
  goals.push(...hopGoals(r));
  for (const i of r.ingest) {
    const text = `CLI import ≥ ${GOALS.ingest}× the floor's rows/s`;
    const figure = `3. Bulk ingest, ${db(i.dialect)}`;
    goals.push({ id: `ingest-${i.dialect}`, figure, text, measured: fmtSpread(i.spread), verdict: atLeast(i.spread, GOALS.ingest) });
  }
  for (const dialect of r.dialects) goals.push(...runGoals(r, dialect));
  if (r.lint) {
    const figure = '5. Boundary lint';
    const [, middle, large] = r.lint.trees.map((t) => fmt(Math.round(t.files / 500) * 500));
    const growth = { text: `${large} files ≤ 2.2× the ${middle}-file time`, measured: `${fmt(r.lint.growth, 2)}×` };
    goals.push({ id: 'lint-linear', figure, ...growth, verdict: atMost(one(r.lint.growth), 2.2) });
    const largest = r.lint.trees[r.lint.trees.length - 1]!;
    const cached = Math.max(largest.cachedMs / largest.coldMs, r.lint.project.cachedMs / r.lint.project.coldMs);
    const text = `an unchanged tree re-lints from the cache in ≤ 0.5× the cold time (project and ${large} files)`;
    goals.push({ id: 'lint-cache', figure, text, measured: `${fmt(cached, 2)}× at worst`, verdict: atMost(one(cached), 0.5) });
  }
  for (const u of r.startup) {
    const figure = `6. Start-up, ${db(u.dialect)}, ${u.label}`;
    const ready = { text: `start-up to /ready ≤ ${fmt(GOALS.startupMs / 1000)} s`, measured: `${fmt(u.startMs)} ms` };
    goals.push({ id: `startup-ready-${u.dialect}`, figure, ...ready, verdict: atMost(one(u.startMs), GOALS.startupMs) });
    const rss = { text: `RSS after start ≤ ${GOALS.startupRssMiB} MiB`, measured: `${fmt(mib(u.rss))} MiB` };
    goals.push({ id: `startup-rss-${u.dialect}`, figure, ...rss, verdict: atMost(one(mib(u.rss)), GOALS.startupRssMiB) });
  }
  return goals;
}

/** Figure 4: the largest run against its floor (one run per size: no spread), its time linear and its memory flat. */
function runGoals(r: Results, dialect: string): Goal[] {
  const points = r.runs.filter((p) => p.dialect === dialect).sort((a, b) => a.publishers - b.publishers);
  if (points.length < 3) return [];
  const [small, middle, large] = [points[0]!, points[points.length - 2]!, points[points.length - 1]!];
  const figure = `4. Invoice run, ${db(dialect)}`;
  const ratioText = `seams ≤ ${GOALS.runRatio}× the floor at ${fmt(large.publishers)} publishers`;
  const sizeRatio = large.publishers / middle.publishers;
  const growth = large.seamsMs / middle.seamsMs;
  const linearText = `linear: ${fmt(large.publishers)} ≤ ${fmt(1.2 * sizeRatio, 1)}× the ${fmt(middle.publishers)} time`;
  // Flat: the largest run holds no more than 1.5× the memory of one a tenth its size (the smallest is mostly start-up).
  const memory = large.seamsPeakRss / middle.seamsPeakRss;
  const memoryText = `memory flat: peak RSS at ${fmt(large.publishers)} ≤ 1.5× that at ${fmt(middle.publishers)}`;
  const rssPath = [small, middle, large].map((p) => fmt(mib(p.seamsPeakRss))).join(' → ');
  const goal = (id: string, text: string, measured: string, verdict: Verdict): Goal => ({
    id: `${id}-${dialect}`,
    figure,
    text,
    measured,
    verdict,
  });
  return [
    goal('run-ratio', ratioText, `${fmt(large.ratio, 2)}×`, atMost(one(large.ratio), GOALS.runRatio)),
    goal('run-linear', linearText, `${fmt(growth, 2)}×`, atMost(one(growth), 1.2 * sizeRatio)),
    goal('run-memory', memoryText, `${fmt(memory, 2)}× (${rssPath} MiB)`, atMost(one(memory), 1.5)),
  ];
}
