/**
 * The import forms dependency-cruiser cannot follow, caught by the lint's own
 * syntax-tree pass: an `import()` or `require()` whose specifier is computed at
 * run time, and a require obtained from `createRequire`. A computed import is
 * allowed only where boundaries.config.js names the file as an exception.
 */
import test from 'ava';
import { lintBoundaries } from '../../src/tools/lintBoundaries.ts';
import { projectTree, type ProjectTree } from './fixtures/projectTree.ts';

type Edge = [rule: string, from: string, to: string];

async function violationsOf(tree: ProjectTree): Promise<Edge[]> {
  const { violations } = await lintBoundaries({ root: tree.root });
  return violations.map((v) => [v.rule.name, v.from, v.to]);
}

const COMPUTED = 'no-computed-import';
const CREATE_REQUIRE = "import { createRequire } from 'node:module';";

const computedCases: Array<[form: string, lines: string[], to: string]> = [
  [
    'a template literal with a substitution',
    ['export const load = (name: string) => import(`../beta/${name}.ts`);'],
    'import(`../beta/${name}.ts`)',
  ],
  ['a variable', ["const target = '../beta/internal.ts';", 'export const load = () => import(target);'], 'import(target)'],
  [
    'a call',
    ["import { pathToFileURL } from 'node:url';", 'export const load = (file: string) => import(pathToFileURL(file).href);'],
    'import(pathToFileURL(file).href)',
  ],
  [
    'a require from createRequire',
    [CREATE_REQUIRE, 'const require = createRequire(import.meta.url);', 'export const load = (name: string) => require(name);'],
    'require(name)',
  ],
  [
    'createRequire(…).resolve',
    [CREATE_REQUIRE, "export const where = (name: string) => createRequire(import.meta.url).resolve('../' + name);"],
    "createRequire(import.meta.url).resolve('../' + name)",
  ],
];

for (const [form, lines, to] of computedCases) {
  test(`an import whose specifier is ${form} computed at run time breaks ${COMPUTED}`, async (t) => {
    const tree = projectTree(t);
    tree.append('modules/alpha/internal.ts', ...lines);
    t.deepEqual(await violationsOf(tree), [[COMPUTED, 'modules/alpha/internal.ts', to]]);
  });
}

test(`a createRequire require handed to other code breaks ${COMPUTED}: what it loads is out of sight`, async (t) => {
  const tree = projectTree(t);
  tree.append('src/platform/x.ts', CREATE_REQUIRE, 'export const load = createRequire(import.meta.url);');
  tree.write('src/platform/y.ts', CREATE_REQUIRE, 'export const loaders = [createRequire];');
  t.deepEqual(await violationsOf(tree), [
    [COMPUTED, 'src/platform/x.ts', 'export const load = createRequire(import.meta.url);'],
    [COMPUTED, 'src/platform/y.ts', '[createRequire]'],
  ]);
});

test('string-literal import() and createRequire of packages pass, as src/platform uses them (docs.ts, database.ts)', async (t) => {
  const tree = projectTree(t);
  tree.append(
    'src/platform/x.ts',
    CREATE_REQUIRE,
    "export const assets = createRequire(import.meta.url).resolve('swagger-ui-dist/package.json');",
    "export const Client = createRequire(import.meta.url)('knex/lib/dialects/better-sqlite3/index.js');",
    "export const lazy = () => import('../../modules/beta/contract.ts');",
    'export const literal = () => import(`../kernel/ids.ts`);',
  );
  tree.append('modules/alpha/internal.ts', CREATE_REQUIRE, "export const own = createRequire(import.meta.url)('./contract.ts');");
  t.deepEqual(await violationsOf(tree), []);
});

test('a createRequire load is checked like any import: a devDependency from production code, a missing file', async (t) => {
  const tree = projectTree(t);
  tree.append('modules/beta/internal.ts', CREATE_REQUIRE, "export const runner = createRequire(import.meta.url)('ava');");
  tree.append('src/platform/x.ts', CREATE_REQUIRE, "export const gone = createRequire(import.meta.url)('./missing.ts');");
  t.deepEqual(await violationsOf(tree), [
    ['production-imports-no-dev-dependency', 'modules/beta/internal.ts', 'node_modules/ava'],
    ['not-to-unresolvable', 'src/platform/x.ts', './missing.ts'],
  ]);
});

test('the migration loader may import a computed path: a named exception in boundaries.config.js, counted as excused', async (t) => {
  const tree = projectTree(t);
  tree.write(
    'src/platform/migrations.ts',
    "import { pathToFileURL } from 'node:url';",
    'export const load = (file: string) => import(pathToFileURL(file).href);',
  );
  const lint = await lintBoundaries({ root: tree.root });
  t.deepEqual(lint.violations, []);
  t.deepEqual(
    lint.excused.map((v) => [v.rule.name, v.from]),
    [[COMPUTED, 'src/platform/migrations.ts']],
  );
  t.deepEqual(lint.staleExceptions, []);
});

test('the exception covers only the file it names: the same import elsewhere in src/platform still breaks the wall', async (t) => {
  const tree = projectTree(t);
  tree.write('src/platform/loader.ts', 'export const load = (file: string) => import(file);');
  t.deepEqual(await violationsOf(tree), [[COMPUTED, 'src/platform/loader.ts', 'import(file)']]);
});

test('an exception whose file no longer needs it is stale, like a baseline entry', async (t) => {
  const tree = projectTree(t);
  tree.write('src/platform/migrations.ts', "export const load = () => import('./x.ts');");
  const lint = await lintBoundaries({ root: tree.root });
  t.deepEqual(lint.violations, []);
  t.deepEqual(
    lint.staleExceptions.map((e) => [e.rule, e.from]),
    [[COMPUTED, 'src/platform/migrations.ts']],
  );
});
