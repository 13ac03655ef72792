/**
 * `npm start` and `npm run cli` run dist/, which src/build.mjs keeps up to
 * date: it compiles what changed, removes what lost its source, and two
 * builds at once leave whole files. Each test builds a copy of the tree.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { tempDir } from '../helpers/databases.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** src/, modules/ and package.json copied, node_modules linked: a tree whose dist/ is this test's own. */
function treeCopy(t: ExecutionContext): string {
  const dir = tempDir(t, 'seams-build-');
  for (const part of ['src', 'modules']) fs.cpSync(path.join(ROOT, part), path.join(dir, part), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

const build = (dir: string) => run(process.execPath, ['src/build.mjs'], { cwd: dir });
const compiled = (stderr: string) => Number(/build: (\d+) of \d+ files compiled/.exec(stderr)?.[1] ?? 0);

/** A second later than now: a file changed after its output was written, whatever the file system's clock grain. */
const touch = (file: string) => {
  const later = new Date(Date.now() + 1_000);
  fs.utimesSync(file, later, later);
};

test('the first build compiles every file beside its source; the next compiles only what changed, and says nothing when nothing did', async (t) => {
  const dir = treeCopy(t);
  const first = await build(dir);
  const sources = Number(/of (\d+) files/.exec(first.stderr)?.[1]);
  t.true(sources > 100, first.stderr);
  t.is(compiled(first.stderr), sources, 'every file the first time');
  const main = fs.readFileSync(path.join(dir, 'dist/src/main.js'), 'utf8');
  t.regex(main, /from "\.\/app\.js"/, 'relative imports name the compiled files');
  t.notRegex(main, /from "\.\.?\/[^"]*\.ts"/);
  t.true(fs.existsSync(path.join(dir, 'dist/src/main.js.map')), 'with its source map');
  t.true(fs.existsSync(path.join(dir, 'dist/modules/billing/migrations/001_billing_accounts.js')), 'migrations keep their folders');
  t.false(fs.existsSync(path.join(dir, 'dist/src/tools')), 'the development tools stay TypeScript');
  t.true(fs.existsSync(path.join(dir, 'dist/package.json')));

  t.is((await build(dir)).stderr, '', 'up to date: nothing compiled, nothing printed');
  touch(path.join(dir, 'src/config.ts'));
  t.is(compiled((await build(dir)).stderr), 1, 'one source changed: one file compiled');
});

test('an output whose source is gone is removed with its map', async (t) => {
  const dir = treeCopy(t);
  await build(dir);
  fs.rmSync(path.join(dir, 'modules/billing/invoicePdf.ts'));
  const { stderr } = await build(dir);
  t.regex(stderr, /, 2 removed/);
  t.false(fs.existsSync(path.join(dir, 'dist/modules/billing/invoicePdf.js')));
  t.false(fs.existsSync(path.join(dir, 'dist/modules/billing/invoicePdf.js.map')));
});

test('builds racing over the same changes both succeed and leave whole files', async (t) => {
  const dir = treeCopy(t);
  await build(dir);
  const app = path.join(dir, 'src/app.ts');
  fs.appendFileSync(app, '\nexport const builtTwice = true;\n');
  touch(app);
  await Promise.all([build(dir), build(dir), build(dir)]);
  const output = fs.readFileSync(path.join(dir, 'dist/src/app.js'), 'utf8');
  t.regex(output, /const builtTwice = true;/);
  t.regex(output, /\n\/\/# sourceMappingURL=app\.js\.map\n$/, 'whole, to its last line');
  t.deepEqual(
    fs.readdirSync(path.join(dir, 'dist/src')).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary file left behind',
  );
});
