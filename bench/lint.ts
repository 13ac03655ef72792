/**
 * Figure 5, the boundary lint: `npm run lint:boundaries` on this project (cold
 * and cached), and lintBoundaries() on generated trees of 1,000 / 2,000 / 4,000
 * files across 10 modules, each lint in a fresh process (3 rounds, medians).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib/processes.ts';
import type { Settings } from './lib/settings.ts';
import { median } from './lib/stats.ts';

export interface LintResult {
  project: { files: number; coldMs: number; cachedMs: number; npmRunMs: number };
  trees: { files: number; coldMs: number; cachedMs: number }[];
  growth: number;
}

const MODULES = 10;

/**
 * A project shaped like seams: a kernel, the module list, and per module a
 * contract, an index and internal files in features of 10 (each file imports
 * the next two of its feature, the kernel, and another module's contract; the
 * index imports each feature's first file). Every import is legal.
 */
export function generateTree(dir: string, files: number): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  for (const file of ['boundaries.config.js', 'tsconfig.json', 'package.json'])
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  write('src/kernel/index.ts', `export * from './ids.ts';\nexport * from './money.ts';\n`);
  write('src/kernel/ids.ts', `export const newId = (prefix: string) => \`\${prefix}_\${Math.random()}\`;\n`);
  write('src/kernel/money.ts', `export const cents = (micros: number) => Math.round(micros / 10_000);\n`);
  const perModule = Math.floor((files - 4) / MODULES) - 2;
  const FEATURE = 10;
  const names = Array.from({ length: MODULES }, (_, m) => `module${m}`);
  write(
    'src/modules.ts',
    `${names.map((n, m) => `import { definition as m${m} } from '../modules/${n}/index.ts';`).join('\n')}\nexport const modules = [${names.map((_, m) => `m${m}`).join(', ')}];\n`,
  );
  names.forEach((name, m) => {
    const other = (m + 1) % MODULES;
    const file = (i: number) => `feature${Math.floor(i / FEATURE)}/part${i}`;
    const heads = Array.from({ length: perModule }, (_, i) => i).filter((i) => i % FEATURE === 0);
    write(
      `modules/${name}/contract.ts`,
      `import { newId } from '../../src/kernel/index.ts';\nexport interface Facade${m} { find(id: string): Promise<string> }\nexport const event${m} = () => newId('evt');\n`,
    );
    write(
      `modules/${name}/index.ts`,
      `${heads.map((i) => `import { part${i} } from './${file(i)}.ts';`).join('\n')}\nimport type { Facade${m} } from './contract.ts';\n` +
        `export const definition = { name: '${name}', facade: { find: async (id: string) => [${heads.map((i) => `part${i}(id)`).join(', ')}].join() } satisfies Facade${m} };\n`,
    );
    for (let i = 0; i < perModule; i++) {
      const next = [i + 1, i + 2].filter((j) => j < perModule && Math.floor(j / FEATURE) === Math.floor(i / FEATURE));
      const imports = [
        `import { newId, cents } from '../../../src/kernel/index.ts';`,
        `import type { Facade${other} } from '../../module${other}/contract.ts';`,
        ...next.map((j) => `import { part${j} } from './part${j}.ts';`),
      ];
      write(
        `modules/${name}/${file(i)}.ts`,
        `${imports.join('\n')}\n\nexport function part${i}(id: string, facade?: Facade${other}): string {\n  void facade;\n  return [newId(id), cents(${i}), ${next.map((j) => `part${j}(id)`).join(', ') || "''"}].join(',');\n}\n`,
      );
    }
  });
}

function lintOnce(root: string, cache: boolean): { ms: number; files: number; violations: number } {
  // The tree has no node_modules of its own (its cache folder must be its own): load tsx from this project.
  const tsx = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const out = execFileSync(process.execPath, ['--import', tsx, path.join(ROOT, 'bench/lintOnce.ts'), root, cache ? 'cache' : 'no-cache'], {
    cwd: root,
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

/**
 * Cold: no cache. Cached: a re-lint of the unchanged tree after one lint filled the cache.
 * Quick: one round, and the lint that fills the empty cache stands for the cold one.
 */
function measure(root: string, rounds: number, quick: boolean): { files: number; coldMs: number; cachedMs: number } {
  const cold: number[] = [];
  const cached: number[] = [];
  let files = 0;
  fs.rmSync(path.join(root, 'node_modules/.cache/seams-boundaries'), { recursive: true, force: true });
  const filled = lintOnce(root, true);
  if (quick) return { files: filled.files, coldMs: filled.ms, cachedMs: lintOnce(root, true).ms };
  for (let r = 0; r < rounds; r++) {
    const c = lintOnce(root, false);
    if (c.violations > 0) throw new Error(`the lint found ${c.violations} new violation(s) in ${root}`);
    files = c.files;
    cold.push(c.ms);
    cached.push(lintOnce(root, true).ms);
  }
  return { files, coldMs: median(cold), cachedMs: median(cached) };
}

export async function lint(settings: Settings): Promise<LintResult> {
  const rounds = settings.processRounds;
  settings.log('  boundary lint: the project');
  // What a developer waits for: `npm run lint:boundaries` as a whole (npm, tsx and the lint; cached).
  const npmRuns: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    spawnSync('npm', ['run', '-s', 'lint:boundaries'], { cwd: ROOT, stdio: 'ignore' });
    npmRuns.push(performance.now() - started);
  }
  const project = { ...measure(ROOT, rounds, settings.quick), npmRunMs: median(npmRuns) };
  settings.log(
    `    ${project.files} files: cold ${(project.coldMs / 1000).toFixed(2)} s, cached ${(project.cachedMs / 1000).toFixed(2)} s; npm run lint:boundaries ${(project.npmRunMs / 1000).toFixed(2)} s`,
  );
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'seams_bench_lint_'));
  const trees: LintResult['trees'] = [];
  try {
    // --quick: half the sizes (the suite stays under 3 minutes).
    for (const files of settings.quick ? [500, 1_000, 2_000] : [1_000, 2_000, 4_000]) {
      const dir = path.join(base, `tree-${files}`);
      generateTree(dir, files);
      const point = measure(dir, rounds, settings.quick);
      trees.push(point);
      settings.log(
        `    generated tree, ${point.files} files: cold ${(point.coldMs / 1000).toFixed(2)} s, cached ${(point.cachedMs / 1000).toFixed(2)} s`,
      );
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  return { project, trees, growth: trees[2]!.coldMs / trees[1]!.coldMs };
}
