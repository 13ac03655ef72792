/**
 * The lint as developers and CI run it: `npm run lint:boundaries` on the real
 * tree, and the baseline ratchet (record, pass, fail on new, fail on stale)
 * through the CLI and its exit codes.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { projectRoot, projectTree } from './fixtures/projectTree.ts';

interface Run {
  code: number | null;
  output: string;
}

function run(command: string, args: string[]): Promise<Run> {
  const child = spawn(command, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const lint = (root: string, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'src/tools/lintBoundaries.ts', '--root', root, '--no-cache', ...args]);

test('the real project passes `npm run lint:boundaries` (exit 0, one summary line)', async (t) => {
  const { code, output } = await run('npm', ['run', '--silent', 'lint:boundaries']);
  t.is(code, 0, output);
  t.regex(
    output.trim(),
    /^boundaries: \d+ files in \d+ modules checked, 0 new violations, \d+ known \(boundaries\.baseline\.json\), \d+ excused \(exceptions in boundaries\.config\.js\)$/,
  );
});

test('the baseline ratchet: recorded violations pass, a new one fails alone, a fixed one fails as stale until re-recorded', async (t) => {
  const tree = projectTree(t);
  const baselineFile = join(tree.root, 'boundaries.baseline.json');
  const original = (file: string) => readFileSync(join(tree.root, file), 'utf8').trimEnd();
  const [alphaInternal, betaInternal] = [original('modules/alpha/internal.ts'), original('modules/beta/internal.ts')];
  tree.append('modules/alpha/internal.ts', "import { betaSecret } from '../beta/internal.ts';");

  const recorded = await lint(tree.root, '--record-baseline');
  t.is(recorded.code, 0, recorded.output);
  t.regex(recorded.output, /recorded 1 known violation/);
  t.like(JSON.parse(readFileSync(baselineFile, 'utf8')), [
    { from: 'modules/alpha/internal.ts', to: 'modules/beta/internal.ts', rule: { name: 'module-reaches-past-contract' } },
  ]);

  const known = await lint(tree.root);
  t.is(known.code, 0, known.output);
  t.regex(known.output, /0 new violations, 1 known/);

  tree.append('modules/beta/internal.ts', "import { platformThing } from '../../src/platform/x.ts';");
  const added = await lint(tree.root);
  t.is(added.code, 1, added.output);
  t.regex(
    added.output,
    /✗ module-imports-only-kernel-from-src: modules\/beta\/internal\.ts → src\/platform\/x\.ts — A module takes from src\/ only/,
  );
  t.notRegex(added.output, /module-reaches-past-contract/);

  tree.write('modules/alpha/internal.ts', alphaInternal);
  tree.write('modules/beta/internal.ts', betaInternal);
  const stale = await lint(tree.root);
  t.is(stale.code, 1, stale.output);
  t.regex(stale.output, /1 entry\(ies\) in boundaries\.baseline\.json no longer occur; run `npm run lint:boundaries:baseline`/);
  t.regex(stale.output, /module-reaches-past-contract: modules\/alpha\/internal\.ts → modules\/beta\/internal\.ts/);
  t.notRegex(stale.output, /✗/);

  t.is((await lint(tree.root, '--record-baseline')).code, 0);
  t.deepEqual(JSON.parse(readFileSync(baselineFile, 'utf8')), []);
  t.is((await lint(tree.root)).code, 0);
});

test('the syntax-tree checks (computed import, createRequire, facade cycle) print, record and ratchet like the others', async (t) => {
  const tree = projectTree(t);
  const baselineFile = join(tree.root, 'boundaries.baseline.json');
  tree.append('src/platform/x.ts', 'export const load = (file: string) => import(file);');
  tree.append(
    'modules/beta/internal.ts',
    "import { createRequire } from 'node:module';",
    "export const reach = createRequire(import.meta.url)('../alpha/internal.ts');",
  );
  tree.useFacades('beta', 'alpha');

  const found = await lint(tree.root);
  t.is(found.code, 1, found.output);
  t.regex(found.output, /boundaries: 3 violation\(s\) of the walls/);
  t.regex(found.output, /✗ no-computed-import: src\/platform\/x\.ts → import\(file\) — The walls cannot follow/);
  t.regex(found.output, /✗ module-reaches-past-contract: modules\/beta\/internal\.ts → modules\/alpha\/internal\.ts — A module uses/);
  t.regex(
    found.output,
    /✗ no-facade-cycle: modules\/alpha\/ → modules\/beta\/ \(cycle: modules\/alpha\/ → modules\/beta\/ → modules\/alpha\/\) — .*subscribe/,
  );

  t.is((await lint(tree.root, '--record-baseline')).code, 0);
  t.deepEqual(
    JSON.parse(readFileSync(baselineFile, 'utf8'))
      .map((v: { rule: { name: string } }) => v.rule.name)
      .sort(),
    ['module-reaches-past-contract', 'no-computed-import', 'no-facade-cycle'],
  );
  const known = await lint(tree.root);
  t.is(known.code, 0, known.output);
  t.regex(known.output, /0 new violations, 3 known/);

  tree.useFacades('beta');
  const stale = await lint(tree.root);
  t.is(stale.code, 1, stale.output);
  t.regex(stale.output, /1 entry\(ies\) in boundaries\.baseline\.json no longer occur/);
  t.regex(stale.output, /– no-facade-cycle: modules\/alpha\/ → modules\/beta\//);
  t.notRegex(stale.output, /✗/);
});

test('an exception in boundaries.config.js that excuses nothing fails the lint until removed', async (t) => {
  const tree = projectTree(t);
  tree.write('src/platform/migrations.ts', 'export const migrations = [];');
  const { code, output } = await lint(tree.root);
  t.is(code, 1, output);
  t.regex(output, /1 exception\(s\) in boundaries\.config\.js excuse nothing any more; remove them:/);
  t.regex(output, /– no-computed-import: src\/platform\/migrations\.ts/);
});
