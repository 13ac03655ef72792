/** The run on stdout: every figure beside its floor, the goals judged, the load around each figure and whether it may be reported. */
import { busy, fmtLoad, MAX_OTHERS_CORES } from './lib/machineLoad.ts';
import { databaseName as db, seconds as s } from './lib/markdown.ts';
import { fmt, fmtSpread, mib } from './lib/stats.ts';
import { judge } from './reportGoals.ts';
import { VERDICT_TEXT } from './lib/verdict.ts';
import { hopRows } from './reportHop.ts';
import { nodeMajor, refusalOf, type Results } from './results.ts';

export function printTable(r: Results): void {
  const out = (text: string) => process.stdout.write(text);
  const rows: string[][] = [['figure', 'database', 'seams', 'floor / other', 'ratio (median, min–max)', 'seams p50', 'seams p99']];
  for (const h of r.hot) {
    const [a, b] = [h.comparison.median.seams!, h.comparison.median['bare Koa + knex']!];
    const latencies = [`${fmt(a.p50, 1)} ms`, `${fmt(a.p99, 1)} ms`];
    rows.push(['1 hot read req/s', db(h.dialect), fmt(a.rps), `${fmt(b.rps)} (bare Koa)`, fmtSpread(h.spread), ...latencies]);
  }
  rows.push(...hopRows(r));
  for (const i of r.ingest) {
    const rates = [fmt(i.seams.rowsPerSecond), fmt(i.floor.rowsPerSecond)];
    rows.push([`3 import ${fmt(i.rows)} rows/s`, db(i.dialect), ...rates, fmtSpread(i.spread), '', '']);
    rows.push([
      '3 PUT 10,000 rows',
      db(i.dialect),
      `${fmt(i.api.rowsPerSecond)} rows/s`,
      '',
      '',
      `${fmt(i.api.p50)} ms`,
      `${fmt(i.api.p99)} ms`,
    ]);
  }
  for (const p of r.runs) {
    const seams = `${s(p.seamsMs)}, ${fmt(mib(p.seamsPeakRss))} MiB`;
    rows.push([`4 invoice run ${fmt(p.publishers)}`, db(p.dialect), seams, `${s(p.floorMs)}`, fmt(p.ratio, 2), '', '']);
  }
  if (r.lint) {
    const project = r.lint.project;
    for (const t of [{ ...project, name: 'project' }, ...r.lint.trees.map((t) => ({ ...t, name: `${fmt(t.files)} files` }))]) {
      rows.push([`5 lint ${t.name}`, '', `${s(t.coldMs)} cold`, `${s(t.cachedMs)} cached`, fmt(t.cachedMs / t.coldMs, 2), '', '']);
    }
  }
  for (const h of r.hot)
    rows.push([
      '6 RSS start → after hot read',
      db(h.dialect),
      `${fmt(mib(h.rssAfterStart))} → ${fmt(mib(h.rssAfterRun))} MiB`,
      '',
      '',
      '',
      '',
    ]);
  for (const u of r.startup) rows.push([`6 start-up to /ready`, db(u.dialect), `${fmt(u.startMs)} ms`, u.label, '', '', '']);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
  out(`\n${nodeMajor(r)} (${r.machine.node}), ${r.machine.nproc} cores, ${r.machine.cpu}\n\n`);
  for (const skipped of r.skipped) out(`Skipped: ${skipped}\n\n`);
  out(`${line(rows[0]!)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.slice(1).map(line).join('\n')}\n\n`);
  for (const goal of judge(r)) out(`${VERDICT_TEXT[goal.verdict].terminal}  ${goal.figure}: ${goal.text} — ${goal.measured}\n`);
  out("\nBefore each figure, other processes' CPU (cores) and the load average (1, 5, 15 min) → the load average after it:\n");
  for (const l of r.figureLoads ?? []) {
    const others = l.othersCores === undefined ? '' : `${fmt(l.othersCores, 2)} cores, `;
    out(`  ${l.figure}: ${others}${fmtLoad(l.before)} → ${fmtLoad(l.after)}${busy(l) ? '  (busy at the start)' : ''}\n`);
  }
  const refusal = refusalOf(r);
  if (refusal) out(`\nNot reportable without --accept-load: ${refusal}.\n\n`);
  else out(`\nEvery figure started with other processes using at most ${MAX_OTHERS_CORES} cores.\n\n`);
}
