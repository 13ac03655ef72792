import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import test from 'ava';
import { spawnTs } from '../helpers/child.ts';
import { tempDir } from '../helpers/databases.ts';

const LOGGER = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/platform/logger.ts')).href;

/**
 * A process that says `started` (written directly, once tsx has loaded it), logs a few lines (fewer than
 * the 4 KiB the logger gathers) and then ends as `ending` says.
 */
function script(t: Parameters<typeof tempDir>[0], ending: string): string {
  const file = path.join(tempDir(t), 'logs.ts');
  fs.writeFileSync(
    file,
    `import fs from 'node:fs';
import { createLogger } from '${LOGGER}';
const log = createLogger({ logLevel: 'info' });
fs.writeSync(1, 'started\\n');
for (let i = 0; i < 3; i++) log.info({ i }, 'line');
setTimeout(() => { log.info({}, 'last'); ${ending} }, 20);
`,
  );
  return file;
}

for (const [name, ending, code] of [
  ['exits', 'process.exit(3);', 3],
  ['crashes', "throw new Error('boom');", 1],
] as const) {
  test(`buffered log lines are all written when the process ${name}`, async (t) => {
    const child = spawnTs(script(t, ending), [], {});
    const { code: exited } = await child.exited;
    t.is(exited, code);
    const lines = child
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    t.deepEqual(
      lines.map((line) => (JSON.parse(line) as { msg: string }).msg),
      ['line', 'line', 'line', 'last'],
    );
  });
}

test('buffered log lines reach stdout within a fraction of a second while the process runs', async (t) => {
  const child = spawnTs(script(t, 'setTimeout(() => process.exit(0), 5_000);'), [], {});
  t.teardown(() => child.process.kill());
  // The clock starts once the process is up: starting tsx on a busy machine is not what is measured.
  await child.waitFor('started');
  const started = performance.now();
  // Before the exit 5 s later, which would write everything anyway.
  await child.waitFor('"msg":"last"', 4_000);
  const elapsed = Math.round(performance.now() - started);
  t.true(elapsed < 1_000, `the last line reached stdout ${elapsed} ms after the process started logging`);
});
