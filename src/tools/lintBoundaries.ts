/**
 * `npm run lint:boundaries`: checks the walls (boundaries.config.js) over src/
 * and modules/ in one dependency-cruiser pass plus the lint's own syntax-tree
 * checks (syntaxChecks.ts), drops what a named exception allows, then ratchets
 * the result against boundaries.baseline.json (see boundaryBaseline.ts).
 * `npm run lint:boundaries:baseline` (`--record-baseline`) records the current
 * violations instead. `--root DIR` lints another tree; `--no-cache` skips the cache.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { BASELINE_FILE, compareWithBaseline, readBaseline, writeBaseline } from './boundaryBaseline.ts';
import { CONFIG_FILE, applyExceptions, loadLintConfig, type BoundaryException } from './boundaryConfig.ts';
import { syntaxViolations } from './syntaxChecks.ts';

const CRUISED = ['src', 'modules'];
const CACHE_FOLDER = 'node_modules/.cache/seams-boundaries';

export interface LintOptions {
  /** Project root holding boundaries.config.js; default: the working directory. */
  root?: string;
  /** Use dependency-cruiser's cache; only honoured when root is the working directory. */
  cache?: boolean;
}

export interface LintResult {
  violations: IViolation[];
  newViolations: IViolation[];
  staleEntries: IViolation[];
  /** Violations a named exception in boundaries.config.js allows; not in the baseline. */
  excused: IViolation[];
  /** Exceptions that allow nothing any more: they fail the lint like stale baseline entries. */
  staleExceptions: BoundaryException[];
  knownCount: number;
  filesChecked: number;
  modulesChecked: number;
  /** Each rule's comment, by rule name: the fix to print. */
  fixes: Map<string, string>;
}

export async function lintBoundaries({ root = process.cwd(), cache = false }: LintOptions = {}): Promise<LintResult> {
  const base = resolve(root);
  const result = await cruiseTree(base, cache && base === process.cwd());
  const config = await loadLintConfig(base);
  const found = [...result.summary.violations, ...syntaxViolations(base, result)];
  const { violations, excused, staleExceptions } = applyExceptions(base, found, config.exceptions);
  const sources = result.modules.map((m) => m.source).filter((source) => /^(src|modules)\//.test(source));
  const rules = [...(result.summary.ruleSetUsed?.forbidden ?? []), ...config.syntaxRules];
  return {
    violations,
    ...compareWithBaseline(violations, readBaseline(join(base, BASELINE_FILE))),
    excused,
    staleExceptions,
    filesChecked: sources.length,
    modulesChecked: new Set(sources.flatMap((source) => source.match(/^modules\/[^/]+\//) ?? [])).size,
    fixes: new Map(rules.map((rule) => [rule.name ?? '', rule.comment ?? ''])),
  };
}

export async function cruiseTree(base: string, useCache: boolean): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(join(base, CONFIG_FILE));
  const tsConfigFile = join(base, options.tsConfig?.fileName ?? 'tsconfig.json');
  options.baseDir = base;
  options.tsConfig = { fileName: tsConfigFile };
  // dependency-cruiser's cache looks for changed files from the working directory, hence only there.
  if (useCache) options.cache = { folder: cacheFolder(base, tsConfigFile), strategy: 'content' };
  const tsConfig = extractTSConfig(tsConfigFile);
  // Without a baseUrl, dependency-cruiser resolves tsconfig `paths` from the working directory, not
  // from the tsconfig's folder (as TypeScript does); naming the folder makes aliases work from any root.
  tsConfig.options.baseUrl ??= dirname(tsConfigFile);
  const targets = CRUISED.filter((dir) => existsSync(join(base, dir)));
  const { output } = await cruise(targets, options, {}, { tsConfig });
  return typeof output === 'string' ? (JSON.parse(output) as ICruiseResult) : output;
}

/**
 * The cache notices changed source files, but not a changed tsconfig.json
 * (paths) or package.json (dev vs prod dependencies): start afresh when they change.
 */
function cacheFolder(base: string, tsConfigFile: string): string {
  const folder = join(base, CACHE_FOLDER);
  const hash = createHash('sha256');
  for (const file of [join(base, CONFIG_FILE), tsConfigFile, join(base, 'package.json')]) hash.update(readFileSync(file));
  const inputs = hash.digest('hex');
  const stamp = join(folder, 'inputs.sha256');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== inputs) {
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    writeFileSync(stamp, inputs);
  }
  return folder;
}

function describeViolation(v: IViolation, fixes: Map<string, string>): string {
  const cycle = v.cycle ? ` (cycle: ${[v.from, ...v.cycle.map((step) => step.name)].join(' → ')})` : '';
  const fix = fixes.get(v.rule.name);
  return `✗ ${v.rule.name}: ${v.from} → ${v.to}${cycle}${fix ? ` — ${fix}` : ''}`;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { root: { type: 'string' }, 'record-baseline': { type: 'boolean' }, 'no-cache': { type: 'boolean' } },
  });
  const root = resolve(values.root ?? process.cwd());
  const lint = await lintBoundaries({ root, cache: !values['no-cache'] });

  if (values['record-baseline']) {
    writeBaseline(join(root, BASELINE_FILE), lint.violations);
    console.log(`boundaries: recorded ${lint.violations.length} known violation(s) in ${BASELINE_FILE}`);
    return 0;
  }
  if (lint.newViolations.length > 0) {
    console.error(`boundaries: ${lint.newViolations.length} violation(s) of the walls (boundaries.config.js):`);
    for (const v of lint.newViolations) console.error(`  ${describeViolation(v, lint.fixes)}`);
  }
  if (lint.staleEntries.length > 0) {
    console.error(
      `boundaries: ${lint.staleEntries.length} entry(ies) in ${BASELINE_FILE} no longer occur; ` +
        'run `npm run lint:boundaries:baseline` to shrink the file:',
    );
    for (const v of lint.staleEntries) console.error(`  – ${v.rule.name}: ${v.from} → ${v.to}`);
  }
  if (lint.staleExceptions.length > 0) {
    console.error(`boundaries: ${lint.staleExceptions.length} exception(s) in ${CONFIG_FILE} excuse nothing any more; remove them:`);
    for (const e of lint.staleExceptions) console.error(`  – ${e.rule}: ${e.from}`);
  }
  if (lint.newViolations.length > 0 || lint.staleEntries.length > 0 || lint.staleExceptions.length > 0) return 1;
  console.log(
    `boundaries: ${lint.filesChecked} files in ${lint.modulesChecked} modules checked, ` +
      `0 new violations, ${lint.knownCount} known (${BASELINE_FILE}), ${lint.excused.length} excused (exceptions in ${CONFIG_FILE})`,
  );
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error('boundaries: the check could not run:', error);
      process.exitCode = 2;
    },
  );
}
