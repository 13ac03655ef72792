/**
 * Compiles src/ and modules/ (but src/tools/) into dist/, file for file, for
 * `npm start` and `npm run cli`: Node then runs plain JavaScript, with no
 * TypeScript loader in the process (on Node 20 tsx's loader thread and its
 * transforms cost over a second of start-up and about 40 MiB). Every run
 * brings dist/ up to date and compiles only the files changed since the last;
 * up to date, it takes under 0.1 s and prints nothing.
 *
 * Each file keeps its place (dist/src/main.js, dist/modules/billing/index.js),
 * so paths a file finds from its own (migrations folders, ../../package.json)
 * hold there too, and a source map beside it points stack traces back at the
 * TypeScript. Outputs are written to a temporary name and renamed, so two
 * starts building at once never load a half-written file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist');
const SOURCES = ['src', 'modules'];
/** The development tools (boundary lint, generated documents) run from their TypeScript. */
const TOOLS = path.join(ROOT, 'src/tools/');
/** Outputs older than this script are compiled again: how it compiles may have changed. */
const SELF = fs.statSync(fileURLToPath(import.meta.url)).mtimeMs;

/** Relative imports name the TypeScript file (`./app.ts`), as Node's type stripping needs; the output names its .js. */
const RELATIVE_TS_IMPORT = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)"(\.\.?\/[^"]*)\.ts"/g;

const walk = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(file) : [file];
  });

const mtime = (file) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;

function writeAtomically(file, content) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

async function build() {
  const started = performance.now();
  const sources = SOURCES.flatMap((dir) => walk(path.join(ROOT, dir))).filter((file) => file.endsWith('.ts') && !file.startsWith(TOOLS));
  const outputOf = (source) => path.join(OUT, path.relative(ROOT, source)).replace(/\.ts$/, '.js');
  const stale = sources.filter((source) => mtime(outputOf(source)) < Math.max(mtime(source), SELF));

  if (stale.length > 0) {
    // esbuild (a dependency, as tsx's own compiler) is loaded only when there is something to compile.
    const { transform } = await import('esbuild');
    await Promise.all(
      stale.map(async (source) => {
        const output = outputOf(source);
        const { code, map } = await transform(fs.readFileSync(source, 'utf8'), {
          loader: 'ts',
          format: 'esm',
          target: 'node20',
          sourcemap: 'external',
          sourcefile: path.relative(path.dirname(output), source),
        });
        const js = code.replace(RELATIVE_TS_IMPORT, '$1"$2.js"');
        writeAtomically(`${output}.map`, map);
        writeAtomically(output, `${js}//# sourceMappingURL=${path.basename(output)}.map\n`);
      }),
    );
  }

  // Outputs whose source is gone (a file removed or renamed) would still load if something named them; a
  // temporary file is another build's write under way, or, older than a minute, one that build left behind.
  const wanted = new Set(sources.map(outputOf));
  const leftBehind = (file) => file.endsWith('.tmp') && Date.now() - mtime(file) > 60_000;
  let removed = 0;
  for (const dir of SOURCES.map((d) => path.join(OUT, d)).filter((d) => fs.existsSync(d))) {
    for (const file of walk(dir)) {
      if (file.endsWith('.tmp') ? leftBehind(file) : !wanted.has(file.replace(/\.map$/, ''))) {
        fs.rmSync(file, { force: true });
        removed++;
      }
    }
  }

  // The server and the CLI read their version from the package.json above them.
  const manifest = path.join(OUT, 'package.json');
  if (mtime(manifest) < mtime(path.join(ROOT, 'package.json'))) writeAtomically(manifest, fs.readFileSync(path.join(ROOT, 'package.json')));

  if (stale.length > 0 || removed > 0) {
    const ms = (performance.now() - started).toFixed(0);
    process.stderr.write(`build: ${stale.length} of ${sources.length} files compiled to dist/, ${removed} removed (${ms} ms)\n`);
  }
}

await build();
