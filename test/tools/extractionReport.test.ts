/**
 * `npm run extraction:report` run for real, in a scratch project root that
 * holds a committed report: without the end-to-end suite's measurements it
 * refuses to overwrite it; with them, or into --out, it writes. The configuration it gives each
 * process shares no store.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { modules } from '../../src/modules.ts';
import { extractionConfiguration, type Setting } from '../../src/tools/extractionConfiguration.ts';
import { tempDir } from '../helpers/databases.ts';

const REPO = process.cwd();
const COMMITTED = '# committed report, measured by the last npm test\n';

/** A project root like a clone's: the sources and baseline it reads, and a committed docs/extraction/billing.md. */
function scratchRoot(t: ExecutionContext): string {
  const root = tempDir(t, 'seams-extraction-root-');
  for (const name of ['src', 'modules']) fs.symlinkSync(path.join(REPO, name), path.join(root, name));
  fs.copyFileSync(path.join(REPO, 'boundaries.baseline.json'), path.join(root, 'boundaries.baseline.json'));
  fs.mkdirSync(path.join(root, 'docs/extraction'), { recursive: true });
  fs.writeFileSync(path.join(root, 'docs/extraction/billing.md'), COMMITTED);
  return root;
}

function report(root: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), path.join(REPO, 'src/tools/writeExtractionReport.ts'), ...args],
    {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent' },
    },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

test('without the end-to-end measurements it exits 1, says to run npm test first, and leaves the committed report as it was', async (t) => {
  const root = scratchRoot(t);
  const { code, output } = await report(root, ['billing']);
  t.is(code, 1, output);
  t.regex(output, /no runtime measurements .* run `npm test` first/);
  t.regex(output, /--out <dir>/);
  t.is(fs.readFileSync(path.join(root, 'docs/extraction/billing.md'), 'utf8'), COMMITTED);
  t.false(fs.existsSync(path.join(root, 'docs/extraction/billing.json')));
});

test('--out writes the measurement-free report elsewhere, NOT READY, and the committed one stays', async (t) => {
  const root = scratchRoot(t);
  const out = tempDir(t);
  const { code, output } = await report(root, ['billing', '--out', out]);
  t.is(code, 0, output);
  t.regex(fs.readFileSync(path.join(out, 'billing.md'), 'utf8'), /NOT READY: .*no runtime measurements/);
  t.is(JSON.parse(fs.readFileSync(path.join(out, 'billing.json'), 'utf8')).hops, null);
  t.is(fs.readFileSync(path.join(root, 'docs/extraction/billing.md'), 'utf8'), COMMITTED);
});

test('with measurements it writes docs/extraction with the hops per endpoint, and --check then passes', async (t) => {
  const root = scratchRoot(t);
  const measured = { 'GET /v1/publishers/:id/dashboard': { methods: ['billing.billingSummaries'], mostPerRequest: 1 } };
  fs.mkdirSync(path.join(root, 'test/artifacts/facade-calls'), { recursive: true });
  fs.writeFileSync(path.join(root, 'test/artifacts/facade-calls/run.json'), JSON.stringify(measured));

  const { code, output } = await report(root, ['billing']);
  t.is(code, 0, output);
  const json = JSON.parse(fs.readFileSync(path.join(root, 'docs/extraction/billing.json'), 'utf8'));
  t.deepEqual(json.hops, [
    { endpoint: 'GET /v1/publishers/:id/dashboard', facadeMethods: ['billing.billingSummaries'], hopsPerRequest: 1 },
  ]);
  t.regex(fs.readFileSync(path.join(root, 'docs/extraction/billing.md'), 'utf8'), /GET \/v1\/publishers\/:id\/dashboard/);
  t.is((await report(root, ['billing', '--check'])).code, 0);
});

test('a ready report shares no store: the verdict says how to move the data, each process has databases of its own and SEAMS_PEERS', async (t) => {
  const root = scratchRoot(t);
  fs.mkdirSync(path.join(root, 'test/artifacts/facade-calls'), { recursive: true });
  fs.writeFileSync(path.join(root, 'test/artifacts/facade-calls/run.json'), JSON.stringify({}));

  const { code, output } = await report(root, ['billing']);
  t.is(code, 0, output);
  const json = JSON.parse(fs.readFileSync(path.join(root, 'docs/extraction/billing.json'), 'utf8'));
  t.regex(json.verdict, /^READY to extract: .* shares no store\. Move its data with `npm run cli -- modules move billing --to <url>`/);
  const stores = (list: Setting[]) => list.filter((s) => /^(DATABASE_URL|SEAMS_DATA_DIR)/.test(s.setting)).map((s) => s.setting);
  t.deepEqual(stores(json.configuration.service), [
    "DATABASE_URL=<this service's own PostgreSQL database>",
    'DATABASE_URL_BILLING=<the database of billing>',
    "SEAMS_DATA_DIR=<this service's own directory>",
  ]);
  t.deepEqual(stores(json.configuration.rest), ['DATABASE_URL=<their own database>']);
  const markdown = fs.readFileSync(path.join(root, 'docs/extraction/billing.md'), 'utf8');
  t.notRegex(markdown, /shared with the other processes|live in the platform store/);
  t.regex(
    markdown,
    /^`npm run cli -- modules move billing --to <url>` copies its schema billing \(PostgreSQL\) or billing\.sqlite \(SQLite\)/m,
  );
});

test('each side names the remotes it calls or hands events to (the latter not needed with a broker), and its peers', (t) => {
  const [operations, billing] = ['operations', 'billing'].map((name) => modules.find((m) => m.name === name)!);
  const remotes = (list: Setting[]) =>
    list.filter((s) => s.setting.startsWith('SEAMS_REMOTE_')).map((s) => `${s.setting.split('=')[0]}: ${s.note}`);
  const ops = extractionConfiguration(operations!, modules);
  t.deepEqual(remotes(ops.service), [
    'SEAMS_REMOTE_BILLING: it handles events published here; not needed when SEAMS_BROKER_URL carries the events',
  ]);
  t.deepEqual(remotes(ops.rest), ['SEAMS_REMOTE_OPERATIONS: billing calls its facade']);
  const bill = extractionConfiguration(billing!, modules);
  t.deepEqual(remotes(bill.service), ['SEAMS_REMOTE_OPERATIONS: billing calls its facade']);
  t.deepEqual(remotes(bill.rest), [
    'SEAMS_REMOTE_BILLING: it handles events published here; not needed when SEAMS_BROKER_URL carries the events',
  ]);
  for (const side of [ops.service, ops.rest, bill.service, bill.rest]) t.true(side.some((s) => s.setting.startsWith('SEAMS_PEERS=')));
});
