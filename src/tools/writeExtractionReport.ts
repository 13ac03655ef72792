/**
 * `npm run extraction:report -- <module> [--check]`: writes
 * docs/extraction/<module>.md and .json; with --check, fails when the
 * committed ones are stale (CI).
 */
import fs from 'node:fs';
import path from 'node:path';
import { modules } from '../modules.ts';
import { renderReport } from './extractionMarkdown.ts';
import { extractionReport } from './extractionReport.ts';

async function main(argv: string[]): Promise<number> {
  const module = argv.find((a) => !a.startsWith('-'));
  if (!module) {
    console.error(`usage: npm run extraction:report -- <module> [--check]   (${modules.map((m) => m.name).join(', ')})`);
    return 2;
  }
  const root = process.cwd();
  const report = await extractionReport(root, module);
  const files = {
    [path.join(root, 'docs/extraction', `${module}.json`)]: `${JSON.stringify(report, null, 2)}\n`,
    [path.join(root, 'docs/extraction', `${module}.md`)]: renderReport(report),
  };
  if (argv.includes('--check')) {
    const stale = Object.entries(files).filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text);
    for (const [file] of stale) console.error(`${path.relative(root, file)} is stale: run \`npm run extraction:report -- ${module}\` after \`npm test\` and commit it`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  console.log(`wrote docs/extraction/${module}.md and .json\n${report.verdict}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`extraction report failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
