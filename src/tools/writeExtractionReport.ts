/**
 * `npm run extraction:report -- <module> [--check] [--out DIR]`: writes
 * docs/extraction/<module>.md and .json (or into DIR); with --check, fails
 * when the committed ones are stale (CI).
 *
 * The report's hops per endpoint come from the end-to-end suite's
 * measurements (test/artifacts/facade-calls, written by `npm test`). Without
 * them the report says NOT READY for want of data, so it is never written
 * over docs/extraction: that would replace a measured report with an empty one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { modules } from '../modules.ts';
import { renderReport } from './extractionMarkdown.ts';
import { extractionReport } from './extractionReport.ts';

const USAGE = `usage: npm run extraction:report -- <module> [--check] [--out DIR]   (${modules.map((m) => m.name).join(', ')})
  --check     compare with the committed docs/extraction/<module>.md and .json; exit 1 when stale
  --out DIR   write the report into DIR instead of docs/extraction`;

async function main(argv: string[]): Promise<number> {
  const outAt = argv.indexOf('--out');
  const out = outAt >= 0 ? argv[outAt + 1] : undefined;
  const module = argv.find((a, i) => !a.startsWith('-') && !(outAt >= 0 && i === outAt + 1));
  if (!module || (outAt >= 0 && !out)) {
    console.error(USAGE);
    return 2;
  }
  const root = process.cwd();
  const report = await extractionReport(root, module);
  const dir = out ? path.resolve(out) : path.join(root, 'docs/extraction');
  const files = {
    [path.join(dir, `${module}.json`)]: `${JSON.stringify(report, null, 2)}\n`,
    [path.join(dir, `${module}.md`)]: renderReport(report),
  };
  const unmeasured =
    'no runtime measurements in test/artifacts/facade-calls: run `npm test` first (the end-to-end suite records the facade calls of every endpoint)';
  if (argv.includes('--check')) {
    if (report.hops === null) console.error(`${unmeasured}; the committed report cannot be checked without them`);
    const stale = Object.entries(files).filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text);
    for (const [file] of stale)
      console.error(
        `${path.relative(root, file)} is stale: run \`npm run extraction:report -- ${module}\` after \`npm test\` and commit it`,
      );
    return stale.length === 0 ? 0 : 1;
  }
  if (report.hops === null && !out) {
    console.error(
      `extraction report for ${module} not written: ${unmeasured}.\n` +
        `docs/extraction/${module}.md is left as it is. To see the report without measurements: npm run extraction:report -- ${module} --out <dir>`,
    );
    return 1;
  }
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  console.log(`wrote ${path.relative(root, path.join(dir, module))}.md and .json\n${report.verdict}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`extraction report failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
