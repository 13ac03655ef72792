/**
 * Each wall in boundaries.config.js fires on a planted violation, whatever the
 * import form, and names the rule; the doors themselves stay open.
 */
import test from 'ava';
import { lintBoundaries } from '../../src/tools/lintBoundaries.ts';
import { projectTree, type ProjectTree } from './fixtures/projectTree.ts';

type Edge = [rule: string, from: string, to: string];

async function violationsOf(tree: ProjectTree): Promise<Edge[]> {
  const { violations } = await lintBoundaries({ root: tree.root });
  return violations.map((v) => [v.rule.name, v.from, v.to]);
}

test('the synthetic tree passes: module→contract, module→kernel, contract→kernel, contract→contract, src/modules.ts→index.ts, host→contract', async (t) => {
  const tree = projectTree(t);
  tree.append('src/platform/x.ts', "import type { IViolation } from 'dependency-cruiser';", 'export type V = IViolation;');
  tree.append('src/platform/x.ts', "import { BetaItem } from '../../modules/beta/contract.ts';", 'export const schema = BetaItem;');
  const lint = await lintBoundaries({ root: tree.root });
  t.deepEqual(lint.violations, []);
  t.is(lint.modulesChecked, 2);
  t.true(lint.filesChecked >= 17, `checked ${lint.filesChecked} files`);
});

const REACH = 'module-reaches-past-contract';
const INTERNAL: Edge = [REACH, 'modules/alpha/internal.ts', 'modules/beta/internal.ts'];

const reachCases: Array<[form: string, plant: (tree: ProjectTree) => void]> = [
  ['a relative import', (tree) => tree.append('modules/alpha/internal.ts', "import { betaSecret } from '../beta/internal.ts';")],
  [
    'a tsconfig path alias',
    (tree) => {
      tree.setPaths({ '@modules/*': ['./modules/*'] });
      tree.append('modules/alpha/internal.ts', "import { betaSecret } from '@modules/beta/internal.ts';");
    },
  ],
  ['`import type`', (tree) => tree.append('modules/alpha/internal.ts', "import type { BetaSecret } from '../beta/internal.ts';")],
  ['an `export … from` re-export', (tree) => tree.append('modules/alpha/internal.ts', "export { betaSecret } from '../beta/internal.ts';")],
  ['a dynamic import()', (tree) => tree.append('modules/alpha/internal.ts', "export const load = () => import('../beta/internal.ts');")],
  [
    'require()',
    (tree) =>
      tree.append(
        'modules/alpha/internal.ts',
        "import { createRequire } from 'node:module';",
        'const require = createRequire(import.meta.url);',
        "export const viaRequire = require('../beta/internal.ts');",
      ),
  ],
  // dependency-cruiser sees none of the forms below; the lint's syntax-tree pass does.
  [
    'createRequire(…)(…) called in place',
    (tree) =>
      tree.append(
        'modules/alpha/internal.ts',
        "import { createRequire } from 'node:module';",
        "export const viaRequire = createRequire(import.meta.url)('../beta/internal.ts');",
      ),
  ],
  [
    'a require from createRequire bound to another name',
    (tree) =>
      tree.append(
        'modules/alpha/internal.ts',
        "import { createRequire } from 'node:module';",
        'const load = createRequire(import.meta.url);',
        "export const viaRequire = load('../beta/internal.ts');",
      ),
  ],
  [
    'createRequire(…).resolve(…)',
    (tree) =>
      tree.append(
        'modules/alpha/internal.ts',
        "import { createRequire } from 'node:module';",
        "export const betaFile = createRequire(import.meta.url).resolve('../beta/internal.ts');",
      ),
  ],
  [
    'require.resolve() on a require from createRequire',
    (tree) =>
      tree.append(
        'modules/alpha/internal.ts',
        "import { createRequire } from 'node:module';",
        'const require = createRequire(import.meta.url);',
        "export const betaFile = require.resolve('../beta/internal.ts');",
      ),
  ],
  [
    'createRequire reached through the module namespace',
    (tree) =>
      tree.append(
        'modules/alpha/internal.ts',
        "import * as nodeModule from 'module';",
        "export const viaRequire = nodeModule.createRequire(import.meta.url)('../beta/internal.ts');",
      ),
  ],
  [
    'createRequire imported under another name',
    (tree) =>
      tree.append(
        'modules/alpha/internal.ts',
        "import { createRequire as requireFrom } from 'node:module';",
        "export const viaRequire = requireFrom(import.meta.url)('../beta/internal.ts');",
      ),
  ],
];

for (const [form, plant] of reachCases) {
  test(`a module reaching another module's internals by ${form} breaks ${REACH}`, async (t) => {
    const tree = projectTree(t);
    plant(tree);
    t.deepEqual(await violationsOf(tree), [INTERNAL]);
  });
}

const CONTRACT = 'contract-imports-only-kernel-and-contracts';
const HOST = 'host-reaches-modules-only-through-doors';

const cases: Array<[title: string, plant: (tree: ProjectTree) => void, expected: Edge[]]> = [
  [
    `a contract importing its own module's internals breaks ${CONTRACT}`,
    (tree) => tree.append('modules/alpha/contract.ts', "import { alphaSecret } from './internal.ts';"),
    [[CONTRACT, 'modules/alpha/contract.ts', 'modules/alpha/internal.ts']],
  ],
  [
    `a contract importing another module's internals breaks ${CONTRACT}`,
    (tree) => tree.append('modules/beta/contract.ts', "import type { AlphaSecret } from '../alpha/internal.ts';"),
    [[CONTRACT, 'modules/beta/contract.ts', 'modules/alpha/internal.ts']],
  ],
  [
    `a contract importing the platform breaks ${CONTRACT}`,
    (tree) => tree.append('modules/alpha/contract.ts', "import { platformThing } from '../../src/platform/x.ts';"),
    [[CONTRACT, 'modules/alpha/contract.ts', 'src/platform/x.ts']],
  ],
  [
    `a contract importing an npm package directly breaks ${CONTRACT}`,
    (tree) => tree.append('modules/alpha/contract.ts', "import { Type as T } from '@sinclair/typebox';"),
    [[CONTRACT, 'modules/alpha/contract.ts', 'node_modules/@sinclair/typebox/build/cjs/index.d.ts']],
  ],
  [
    'a module importing src/platform breaks module-imports-only-kernel-from-src',
    (tree) => tree.append('modules/beta/internal.ts', "import { platformThing } from '../../src/platform/x.ts';"),
    [['module-imports-only-kernel-from-src', 'modules/beta/internal.ts', 'src/platform/x.ts']],
  ],
  [
    'the kernel importing the platform breaks kernel-imports-only-kernel',
    (tree) => tree.append('src/kernel/ids.ts', "import { platformThing } from '../platform/x.ts';"),
    [['kernel-imports-only-kernel', 'src/kernel/ids.ts', 'src/platform/x.ts']],
  ],
  [
    'the kernel importing a module breaks kernel-imports-only-kernel',
    (tree) => {
      tree.write('modules/alpha/units.ts', 'export const units = 1;');
      tree.append('src/kernel/ids.ts', "import { units } from '../../modules/alpha/units.ts';");
    },
    [['kernel-imports-only-kernel', 'src/kernel/ids.ts', 'modules/alpha/units.ts']],
  ],
  [
    'the kernel loading a driver breaks kernel-loads-no-driver (its `import type` of knex stays allowed)',
    (tree) => tree.append('src/kernel/ids.ts', "import knex from 'knex';"),
    [['kernel-loads-no-driver', 'src/kernel/ids.ts', 'node_modules/knex/types/index.d.ts']],
  ],
  [
    'a host file other than src/modules.ts importing a module index breaks only-module-list-imports-module-index',
    (tree) => tree.write('src/app.ts', "import { alpha } from '../modules/alpha/index.ts';", 'export const app = alpha;'),
    [['only-module-list-imports-module-index', 'src/app.ts', 'modules/alpha/index.ts']],
  ],
  [
    `the host (src/app.ts) importing a module's internal file breaks ${HOST}`,
    (tree) => tree.write('src/app.ts', "import { alphaSecret } from '../modules/alpha/internal.ts';", 'export const app = alphaSecret;'),
    [[HOST, 'src/app.ts', 'modules/alpha/internal.ts']],
  ],
  [
    `a host tool importing a module's internal type breaks ${HOST}`,
    (tree) =>
      tree.write('src/tools/x.ts', "import type { BetaSecret } from '../../modules/beta/internal.ts';", 'export type X = BetaSecret;'),
    [[HOST, 'src/tools/x.ts', 'modules/beta/internal.ts']],
  ],
  [
    `the module list importing a module's internal file breaks ${HOST}`,
    (tree) => tree.append('src/modules.ts', "export { betaSecret } from '../modules/beta/internal.ts';"),
    [[HOST, 'src/modules.ts', 'modules/beta/internal.ts']],
  ],
  [
    'a cycle between two files breaks no-circular',
    (tree) => {
      tree.append('modules/alpha/internal.ts', "import { cyclic } from './cyclic.ts';");
      tree.write('modules/alpha/cyclic.ts', "import { alphaSecret } from './internal.ts';", 'export const cyclic = alphaSecret;');
    },
    [['no-circular', 'modules/alpha/cyclic.ts', 'modules/alpha/internal.ts']],
  ],
  [
    'an import that cannot be resolved breaks not-to-unresolvable',
    (tree) => tree.append('modules/alpha/internal.ts', "import { nothing } from './missing.ts';"),
    [['not-to-unresolvable', 'modules/alpha/internal.ts', './missing.ts']],
  ],
  [
    'production code importing test/ breaks production-imports-no-test-code',
    (tree) => tree.append('src/platform/x.ts', "import { testHelper } from '../../test/helper.ts';"),
    [['production-imports-no-test-code', 'src/platform/x.ts', 'test/helper.ts']],
  ],
  [
    'production code loading a devDependency breaks production-imports-no-dev-dependency',
    (tree) => tree.append('modules/beta/internal.ts', "import test from 'ava';"),
    [['production-imports-no-dev-dependency', 'modules/beta/internal.ts', 'node_modules/ava/entrypoints/main.d.mts']],
  ],
];

for (const [title, plant, expected] of cases) {
  test(title, async (t) => {
    const tree = projectTree(t);
    plant(tree);
    const found = await violationsOf(tree);
    // npm paths depend on the package's layout; the rule and the importing file are what matter.
    t.deepEqual(
      found.map(([rule, from, to]) => [rule, from, to.startsWith('node_modules/') ? to.split('/')[1] : to]),
      expected.map(([rule, from, to]) => [rule, from, to.startsWith('node_modules/') ? to.split('/')[1] : to]),
    );
  });
}
