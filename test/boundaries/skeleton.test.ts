/**
 * Every module has the same parts in the same places (src/tools/moduleSkeleton.ts):
 * the two real modules and the fixture module the host's tests add as a third.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { modules } from '../../src/modules.ts';
import { MODULE_SKELETON, missingParts } from '../../src/tools/moduleSkeleton.ts';

const root = path.resolve(import.meta.dirname, '../..');

for (const module of modules) {
  test(`module ${module.name} has every required part of the skeleton`, (t) => {
    t.deepEqual(missingParts(path.join(root, 'modules', module.name)), []);
  });
}

test('the fixture module a third module is modelled on (test/fixtures/modules/notes) has every required part', (t) => {
  t.deepEqual(missingParts(path.join(root, 'test/fixtures/modules/notes')), []);
});

test('a module folder without errors.ts or migrations/ is named as lacking them', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seams-skeleton-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const file of ['index.ts', 'contract.ts']) fs.writeFileSync(path.join(dir, file), '');
  fs.writeFileSync(path.join(dir, 'migrations'), ''); // a file where a folder belongs does not count
  t.deepEqual(missingParts(dir), ['errors.ts', 'migrations/']);
  t.true(MODULE_SKELETON.some((part) => part.path === 'errors.ts' && part.required));
});
