/**
 * One boundary lint in a fresh process, timed around lintBoundaries() alone
 * (not the process start). Usage: lintOnce.ts ROOT cache|no-cache; run with
 * the tree as working directory for the cache to apply. Prints JSON.
 */
import { lintBoundaries } from '../src/tools/lintBoundaries.ts';

const [root, mode] = process.argv.slice(2) as [string, string];
const started = performance.now();
const result = await lintBoundaries({ root, cache: mode === 'cache' });
const ms = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({ ms, files: result.filesChecked, modules: result.modulesChecked, violations: result.newViolations.length })}\n`,
);
