/** Figure 4's chart and the lint's: docs/performance-scaling.svg, vega-lite rendered by vega without a canvas. */
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { databaseName as db } from './lib/markdown.ts';
import { mib } from './lib/stats.ts';
import type { Results } from './results.ts';

/**
 * The scaling chart: invoice run time and peak RSS by publishers, lint time by files.
 * Each database has one colour, seams a solid line and its floor a dashed one, so
 * every figure sits beside its floor; the x axes are labelled at each measured size.
 */
export async function renderChart(r: Results): Promise<string> {
  const runs = r.runs.flatMap((p) => [
    { publishers: p.publishers, database: db(p.dialect), contender: 'seams', seconds: p.seamsMs / 1000, rss: mib(p.seamsPeakRss) },
    { publishers: p.publishers, database: db(p.dialect), contender: 'floor', seconds: p.floorMs / 1000, rss: mib(p.floorPeakRss) },
  ]);
  const lint = (r.lint?.trees ?? []).flatMap((t) => [
    { files: t.files, series: 'cold', seconds: t.coldMs / 1000 },
    { files: t.files, series: 'cached re-lint', seconds: t.cachedMs / 1000 },
  ]);
  /** An x axis over exactly the measured sizes, each one labelled. */
  const measuredAxis = (field: string, title: string, sizes: number[], log: boolean) => ({
    field,
    type: 'quantitative' as const,
    title,
    scale: { ...(log && { type: 'log' as const }), domain: [Math.min(...sizes), Math.max(...sizes)], nice: false },
    axis: {
      values: [...new Set(sizes)].sort((a, b) => a - b),
      labelExpr: "format(datum.value, ',')",
      labelOverlap: false,
      labelFlush: true,
    },
  });
  const publishers = measuredAxis(
    'publishers',
    'publishers (log scale)',
    r.runs.map((p) => p.publishers),
    true,
  );
  const contender = {
    field: 'contender',
    type: 'nominal' as const,
    title: 'line',
    legend: { labelExpr: "datum.label === 'seams' ? 'seams (solid)' : 'its floor (dashed)'" },
  };
  /** One run panel: colour per database, dash per contender (seams solid, floor dashed). */
  const runPanel = (title: string, y: object) => ({
    title,
    data: { values: runs },
    mark: { type: 'line', point: true } as const,
    width: 260,
    height: 220,
    encoding: {
      x: publishers,
      y,
      color: {
        field: 'database',
        type: 'nominal' as const,
        title: 'database',
        scale: { domain: ['SQLite', 'PostgreSQL'], range: ['#1f77b4', '#d62728'] },
      },
      strokeDash: {
        ...contender,
        scale: {
          domain: ['seams', 'floor'],
          range: [
            [1, 0],
            [6, 4],
          ],
        },
      },
      shape: { ...contender, scale: { domain: ['seams', 'floor'], range: ['circle', 'triangle-up'] } },
    },
  });
  const spec: vegaLite.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `seams scaling runs (${r.quick ? 'quick sizes' : 'full sizes'}, ${r.startedAt.slice(0, 10)})`,
    config: { font: 'sans-serif', legend: { orient: 'bottom' } },
    hconcat: [
      // The two run panels share one legend: database by colour, seams or floor by dash and point.
      {
        // Laid out by the plots' own sizes: rendered without a canvas, vega overestimates text widths and spreads the panels apart.
        bounds: 'flush',
        spacing: 90,
        hconcat: [
          runPanel('Invoice run time', { field: 'seconds', type: 'quantitative', scale: { type: 'log' }, title: 'seconds (log scale)' }),
          runPanel('Invoice run peak RSS', { field: 'rss', type: 'quantitative', title: 'MiB' }),
        ],
      },
      {
        title: 'Boundary lint (generated trees)',
        data: { values: lint },
        mark: { type: 'line', point: true } as const,
        width: 200,
        height: 220,
        encoding: {
          x: measuredAxis(
            'files',
            'files',
            (r.lint?.trees ?? []).map((t) => t.files),
            false,
          ),
          y: { field: 'seconds', type: 'quantitative', title: 'seconds' },
          color: { field: 'series', type: 'nominal' as const, title: null, scale: { scheme: 'set2' } },
        },
      },
    ],
    resolve: { scale: { color: 'independent', strokeDash: 'independent', shape: 'independent' } },
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
