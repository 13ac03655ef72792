import test from 'ava';
import { renderChart } from '../../bench/reportChart.ts';
import type { Results } from '../../bench/results.ts';

const MiB = 1024 * 1024;
const point = (dialect: 'sqlite' | 'postgres', publishers: number, seconds: number, floorSeconds: number) => ({
  dialect,
  publishers,
  deliveryRows: publishers * 93,
  seamsMs: seconds * 1000,
  floorMs: floorSeconds * 1000,
  seamsPeakRss: 200 * MiB,
  floorPeakRss: 100 * MiB,
  ratio: seconds / floorSeconds,
  profile: null,
});

const results = {
  quick: false,
  startedAt: '2026-11-26T09:49:00Z',
  runs: [
    point('sqlite', 1_000, 1.4, 0.4),
    point('sqlite', 10_000, 2.4, 1.4),
    point('sqlite', 100_000, 12.4, 11.7),
    point('postgres', 1_000, 1.8, 0.4),
    point('postgres', 10_000, 3.7, 1.5),
    point('postgres', 100_000, 19.1, 8.8),
  ],
  lint: { trees: [994, 1_994, 3_994].map((files) => ({ files, coldMs: files / 2, cachedMs: files / 10 })) },
} as unknown as Results;

test('the scaling chart labels its x axes at every measured size, up to the last point', async (t) => {
  const svg = await renderChart(results);
  const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  for (const size of ['1,000', '10,000', '100,000']) t.is(labels.filter((l) => l === size).length, 2, `${size} on both run panels`);
  for (const files of ['994', '1,994', '3,994']) t.true(labels.includes(files), files);
  t.false(labels.includes('30,000'), 'no tick short of the last point');
});

test('each seams line shares its colour with its own floor, solid against dashed, and the databases differ', async (t) => {
  const svg = await renderChart(results);
  const lines = [
    ...svg.matchAll(/<path aria-label="[^"]*database: (\w+); line: (\w+)"[^>]*stroke="(#[0-9a-f]+)"[^>]*stroke-dasharray="([\d,]+)"/g),
  ].map((m) => ({ database: m[1]!, contender: m[2]!, colour: m[3]!, dash: m[4]! }));
  t.is(lines.length, 8, 'two panels × two databases × seams and floor');
  const colourOf = (database: string, contender: string) =>
    new Set(lines.filter((l) => l.database === database && l.contender === contender).map((l) => l.colour));
  for (const database of ['SQLite', 'PostgreSQL']) t.deepEqual(colourOf(database, 'seams'), colourOf(database, 'floor'), database);
  t.notDeepEqual(colourOf('SQLite', 'seams'), colourOf('PostgreSQL', 'seams'));
  t.true(lines.filter((l) => l.contender === 'floor').every((l) => l.dash === '6,4'));
  t.true(lines.filter((l) => l.contender === 'seams').every((l) => l.dash === '1,0'));
});
