/**
 * Moving a module's data to a database of its own: `modules move` copies and compares, `modules verify`
 * compares again until the module's process runs from the copy. They open the two databases alone
 * (no migrations, no module code beyond the module list).
 */
import path from 'node:path';
import { UsageError, type CommandIO, type CommandSpec } from '../kernel/index.ts';
import type { Comparison, Fingerprint } from '../platform/dataMove/fingerprints.ts';
import { moveModule, verifyCopy, type Store } from '../platform/dataMove/moveModule.ts';
import { MoveRefused } from '../platform/dataMove/moveRefused.ts';
import { databaseUrlOf, databaseVariable, withoutPassword } from '../platform/database/postgresRoles.ts';
import { CommandFailure } from './failures.ts';
import type { CliSession } from './session.ts';

const MODULE = { name: 'module', description: 'the module whose data moves: its tables, outbox and inbox' };
const TO = {
  name: 'to',
  value: 'url|dir',
  description: "its new database: a postgres:// URL (another database or server); on SQLite, the directory of the module's new file",
  required: true,
};

export function moveCommands(session: CliSession): CommandSpec[] {
  /** Where the module's data is (the settings the CLI runs with) and where --to says it goes. */
  async function stores(module: string, to: string): Promise<{ source: Store; target: Store }> {
    const known = (await session.modules()).map((m) => m.name);
    if (!known.includes(module)) throw new UsageError(`unknown module "${module}" (known: ${known.join(', ')})`);
    const config = session.config();
    const postgres = /^postgres(ql)?:\/\//.test(to);
    if (config.databaseUrl !== null) {
      if (!postgres)
        throw new UsageError(`--to must be a postgres:// URL: ${module}'s data is on PostgreSQL (${databaseVariable(config, module)})`);
      return { source: { kind: 'postgres', url: databaseUrlOf(config, module) }, target: { kind: 'postgres', url: to } };
    }
    if (postgres) throw new UsageError(`--to must be a directory: ${module}'s data is a SQLite file in ${config.dataDir} (SEAMS_DATA_DIR)`);
    if (to.endsWith('.sqlite'))
      throw new UsageError(`--to is the directory of ${module}'s new file (${module}.sqlite in it), not the file`);
    const file = (dir: string) => path.join(path.resolve(dir), `${module}.sqlite`);
    return { source: { kind: 'sqlite', file: file(config.dataDir) }, target: { kind: 'sqlite', file: file(to) } };
  }

  return [
    {
      name: 'modules move',
      summary: "Copy a module's data to a new database (a consistent snapshot), compare it table by table, print the setting to change",
      arguments: [MODULE],
      options: [TO],
      async run({ args, options }, io) {
        const module = args.module!;
        const { source, target } = await stores(module, options.to!);
        const comparisons = await refusalsExpected(
          moveModule(module, source, target, (step) =>
            io.err.write(
              step === 'copying'
                ? `copying ${module} from ${shown(source)} to ${shown(target)} (one consistent snapshot)\n`
                : 'comparing row counts and checksums of every table\n',
            ),
          ),
        );
        report(io, module, comparisons);
        const password = target.kind === 'postgres' && new URL(target.url).password ? ' (with the password given to --to)' : '';
        io.err.write(`${module} copied and checked; the process that runs ${module} is to use${password}:\n`);
        io.out.write(`${setting(module, target)}\n`);
        io.err.write(nextSteps(module, options.to!, target));
        return 0;
      },
    },
    {
      name: 'modules verify',
      summary: "Compare a module's data with its copy made by `modules move` (exit 1 when anything was written since)",
      arguments: [MODULE],
      options: [TO],
      async run({ args, options }, io) {
        const module = args.module!;
        const { source, target } = await stores(module, options.to!);
        report(io, module, await refusalsExpected(verifyCopy(module, source, target)));
        io.err.write(`the copy of ${module} at ${shown(target)} is equal to its data at ${shown(source)}\n`);
        return 0;
      },
    },
  ];
}

const refusalsExpected = <T>(work: Promise<T>): Promise<T> =>
  work.catch((error: unknown) => {
    throw error instanceof MoveRefused ? new CommandFailure(error.message) : error;
  });

const shown = (store: Store) => (store.kind === 'postgres' ? withoutPassword(store.url) : store.file);

/** One line per table and sequence on stdout; a difference fails the command, naming what to do. */
function report(io: CommandIO, module: string, comparisons: Comparison[]): void {
  const state = (f: Fingerprint | null) => (f === null ? 'absent' : f.rows === null ? f.checksum : `${f.rows} rows, md5 ${f.checksum}`);
  for (const c of comparisons) {
    io.out.write(
      c.equal
        ? `equal    ${c.name}: ${state(c.source)}\n`
        : `DIFFERS  ${c.name}: ${state(c.source)} at the source, ${state(c.copy)} in the copy\n`,
    );
  }
  const differing = comparisons.filter((c) => !c.equal).length;
  if (differing > 0) {
    throw new CommandFailure(
      `the copy differs from ${module}'s data in ${differing} of ${comparisons.length} tables and sequences: ` +
        `something wrote to ${module} during or after the copy. Pause its writes (stop its process), drop the copy and move it again`,
    );
  }
}

function setting(module: string, target: Store): string {
  return target.kind === 'postgres'
    ? `DATABASE_URL_${module.toUpperCase()}=${withoutPassword(target.url)}`
    : `SEAMS_DATA_DIR=${path.dirname(target.file)}`;
}

function nextSteps(module: string, to: string, target: Store): string {
  const postgres = target.kind === 'postgres';
  const shownTarget = postgres ? withoutPassword(to) : to;
  const retire = postgres ? `ALTER SCHEMA ${module} RENAME TO ${module}_moved where it was` : `rename the old ${module}.sqlite`;
  return [
    ...(postgres ? [] : [`  (with SEAMS_MODULES=${module}: that process runs ${module} alone, its own platform store beside it)`]),
    'next (README, "Extracting a module"):',
    `  1. keep ${module}'s writes paused until its process runs with that setting`,
    `  2. just before starting it, with the settings of now: npm run cli -- modules verify ${module} --to ${shownTarget}`,
    `  3. start it there and check GET /ready; route ${module}'s endpoints to it if it moved host`,
    `  4. retire the old data (${retire}) and drop it once sure`,
    '',
  ].join('\n');
}
