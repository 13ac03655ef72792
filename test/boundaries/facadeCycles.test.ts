/**
 * Synchronous calls between modules form a DAG: the facades a module declares
 * in `uses` (modules/<name>/index.ts), read from the syntax tree, may not lead
 * back to it. Events may go both ways.
 */
import test from 'ava';
import { lintBoundaries } from '../../src/tools/lintBoundaries.ts';
import { projectTree } from './fixtures/projectTree.ts';

const CYCLE = 'no-facade-cycle';

test('facade calls that run one way pass, a diamond included (alpha → beta, alpha → gamma → beta)', async (t) => {
  const tree = projectTree(t);
  tree.useFacades('gamma', 'beta');
  tree.useFacades('alpha', 'beta', 'gamma');
  t.deepEqual((await lintBoundaries({ root: tree.root })).violations, []);
});

test(`two modules calling each other's facades break ${CYCLE}, reported once with the cycle and how to break it`, async (t) => {
  const tree = projectTree(t);
  tree.useFacades('beta', 'alpha');
  const lint = await lintBoundaries({ root: tree.root });
  t.deepEqual(
    lint.violations.map((v) => [v.rule.name, v.from, v.to, v.cycle?.map((step) => step.name)]),
    [[CYCLE, 'modules/alpha/', 'modules/beta/', ['modules/beta/', 'modules/alpha/']]],
  );
  t.regex(lint.fixes.get(CYCLE) ?? '', /subscribe to .*events.* instead of calling back/);
});

test(`a longer cycle (alpha → beta → gamma → alpha) breaks ${CYCLE} once, starting from its first module`, async (t) => {
  const tree = projectTree(t);
  tree.useFacades('gamma', 'alpha');
  tree.useFacades('beta', 'gamma');
  const lint = await lintBoundaries({ root: tree.root });
  t.deepEqual(
    lint.violations.map((v) => [v.rule.name, v.from, v.to, v.cycle?.map((step) => step.name)]),
    [[CYCLE, 'modules/alpha/', 'modules/beta/', ['modules/beta/', 'modules/gamma/', 'modules/alpha/']]],
  );
});

test('a `uses` the lint cannot read (not contracts imported by name) breaks module-uses-lists-contracts, never passes silently', async (t) => {
  const tree = projectTree(t);
  tree.write(
    'modules/beta/index.ts',
    "import { defineModule } from '../../src/kernel/index.ts';",
    "import { alphaContract } from '../alpha/contract.ts';",
    "import { betaSecret } from './internal.ts';",
    'const callees = [alphaContract];',
    "export const beta = defineModule({ name: 'beta', migrations: 'm', uses: callees, register: () => void betaSecret });",
  );
  tree.write(
    'modules/gamma/index.ts',
    "import { defineModule } from '../../src/kernel/index.ts';",
    "import { gammaLocal } from './local.ts';",
    "export const gamma = defineModule({ name: 'gamma', migrations: 'm', uses: [gammaLocal], register: () => {} });",
  );
  tree.write('modules/gamma/local.ts', "export const gammaLocal = { module: 'beta', methods: {}, events: {} };");
  const lint = await lintBoundaries({ root: tree.root });
  t.deepEqual(
    lint.violations.map((v) => [v.rule.name, v.from, v.to]),
    [
      ['module-uses-lists-contracts', 'modules/beta/index.ts', 'uses: callees'],
      ['module-uses-lists-contracts', 'modules/gamma/index.ts', 'uses: gammaLocal'],
    ],
  );
});
