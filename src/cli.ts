/**
 * `npm run cli -- <command>`: operator commands over the server's databases and settings. Each
 * command opens only what it needs (src/cli/session.ts): `tokens create` loads no module code and
 * opens the platform database alone; nothing starts HTTP, the event dispatcher or the workers.
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import type { CommandIO, CommandSpec, ModuleDefinition } from './kernel/index.ts';
import { makeProgress } from './platform/progress.ts';
import { eventCommands } from './cli/eventCommands.ts';
import { moveCommands } from './cli/moveCommands.ts';
import { reportFailure } from './cli/failures.ts';
import { platformCommands } from './cli/platformCommands.ts';
import { runCommandLine, type ListedCommand } from './cli/program.ts';
import { openSession, type CliSession } from './cli/session.ts';

const VERSION = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const io: CommandIO = {
  out: process.stdout,
  err: process.stderr,
  // Progress goes to stderr so stdout stays clean for results.
  progress: (label, unit, total) => makeProgress(process.stderr, label, unit, total),
};

export interface CliOptions {
  /** The module list (default: src/modules.ts, loaded only by commands that need it). */
  modules?: ModuleDefinition[];
}

/** Runs one command line; answers the exit code: 0 done, 1 failed, 2 usage error. */
export async function runCli(argv: string[], options: CliOptions = {}): Promise<number> {
  const session = openSession({
    io,
    loadModules: async () => options.modules ?? (await import('./modules.ts')).modules,
  });
  try {
    const own = [
      ...listed(platformCommands(session), 'Tokens and databases'),
      ...listed(eventCommands(session), 'Events'),
      ...listed(moveCommands(session), 'Modules'),
    ];
    // A host command, or the version, needs no module code to be parsed: loading it is most of a command's start-up.
    const hostOnly =
      own.some(({ spec }) => spec.name.split(' ').every((word, i) => argv[i] === word)) ||
      (argv.length === 1 && ['--version', '-V'].includes(argv[0]!));
    const commands = hostOnly ? own : [...own, ...(await moduleCommands(session))];
    return await runCommandLine(argv, commands, io, VERSION);
  } catch (error) {
    return reportFailure(error, io);
  } finally {
    await session.close();
  }
}

function listed(specs: CommandSpec[], section: string): ListedCommand[] {
  return specs.map((spec) => ({ spec, section, run: (input) => spec.run(input, io) }));
}

/** Each module's commands; one runs once its module's container is composed and its databases open. */
async function moduleCommands(session: CliSession): Promise<ListedCommand[]> {
  return (await session.modules()).flatMap((module) =>
    (module.commands?.(deferredCradle(module.name, session)) ?? []).map((spec) => ({
      spec,
      section: module.name[0]!.toUpperCase() + module.name.slice(1),
      run: async (input) => {
        await session.compose(module.name);
        return spec.run(input, io);
      },
    })),
  );
}

/**
 * The cradle a module declares its commands with. Help lists the commands before anything is open,
 * so a part resolves only once the command runs, from the container composed for it.
 */
function deferredCradle(module: string, session: CliSession): object {
  return new Proxy(
    {},
    {
      get(_target, name) {
        const container = session.composed(module);
        if (container === null)
          throw new Error(`module ${module} read "${String(name)}" of its cradle while declaring its commands: read it inside run()`);
        return (container.cradle as Record<string, unknown>)[name as string];
      },
    },
  );
}

/** The CLI as a process: runs the command line and exits with its code. */
export async function main(argv: string[], options: CliOptions = {}): Promise<never> {
  // Libraries print on the console (knex: each failed connection attempt, with its stack) while a
  // command's stdout is its result alone and its failure is reported once: they speak only for debugging.
  const debugging = ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
  const toStderr = (...args: unknown[]) => void (debugging && process.stderr.write(`${format(...args)}\n`));
  Object.assign(console, { log: toStderr, info: toStderr, warn: toStderr, error: toStderr, debug: toStderr });
  process.exit(await runCli(argv, options));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main(process.argv.slice(2));
