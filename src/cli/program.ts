/**
 * Commands declared as data (CommandSpec) mapped onto commander: help on stdout with exit 0, help
 * per command, `--version`, unknown commands and options refused with a suggestion, required options,
 * choices and checked values refused before anything opens. Exit codes: 0 done, 1 failed, 2 usage.
 */
import { Argument, Command, CommanderError, Help, InvalidArgumentError, Option } from 'commander';
import { UsageError, type CommandIO, type CommandInput, type CommandSpec } from '../kernel/index.ts';
import { checkReadableFile, EXIT_USAGE } from './failures.ts';

export const PROGRAM = 'npm run cli --';

export interface ListedCommand {
  spec: CommandSpec;
  /** The heading it is listed under in help, e.g. `Billing`. */
  section: string;
  run(input: CommandInput): Promise<number>;
}

/** Parses `argv` (the words after `npm run cli --`) and runs the command it names; answers the exit code. */
export async function runCommandLine(argv: string[], commands: ListedCommand[], io: CommandIO, version: string): Promise<number> {
  const program = new Command(PROGRAM)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out.write(text), writeErr: (text) => io.err.write(text) })
    .configureHelp(HELP)
    .showHelpAfterError(`(${PROGRAM} help lists the commands)`)
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command...]', 'show the help of a command');
  let exitCode = 0;
  for (const command of commands) {
    const leaf = declare(program, command.spec, `${command.section}:`);
    leaf.action(async () => {
      const input = inputOf(leaf, command.spec);
      for (const argument of command.spec.arguments ?? []) {
        const file = input.args[argument.name];
        if (argument.file && file !== undefined) checkReadableFile(file);
      }
      try {
        exitCode = await command.run(input);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        leaf.error(`error: ${error.message}`, { exitCode: EXIT_USAGE, code: 'seams.usage' });
      }
    });
  }
  try {
    // `help tokens create` is `tokens create --help`: commander's help command takes one word only.
    await program.parseAsync(argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    throw error;
  }
}

/** The term each command is listed by in help: its words, required options and arguments. */
const terms = new WeakMap<Command, string>();

/** Adds the command under its words (`events broker list`: a group `events`, a group `broker`, then `list`). */
function declare(program: Command, spec: CommandSpec, section: string): Command {
  const words = spec.name.split(' ');
  let parent = program;
  for (const [i, word] of words.entries()) {
    const path = words.slice(0, i + 1).join(' ');
    const last = i === words.length - 1;
    const existing = parent.commands.find((c) => c.name() === word);
    if (existing && last) throw new Error(`two commands are named "${spec.name}"`);
    parent =
      existing ??
      parent
        .command(word)
        .helpGroup(section)
        .showHelpAfterError(`(${PROGRAM} ${path} --help ${last ? 'shows its usage' : 'lists its commands'})`);
  }
  const leaf = parent.description(spec.summary);
  for (const a of spec.arguments ?? []) {
    const argument = new Argument(a.required === false ? `[${a.name}]` : `<${a.name}>`, a.description);
    if (a.choices) argument.choices(a.choices);
    if (a.check) argument.argParser(checked(a.check));
    leaf.addArgument(argument);
  }
  const required: string[] = [];
  for (const o of spec.options ?? []) {
    const option = new Option(`--${o.name} <${o.value}>`, `${o.description}${o.required ? ' (required)' : ''}`);
    if (o.required) required.push(option.flags);
    if (o.required) option.makeOptionMandatory();
    if (o.choices) option.choices(o.choices);
    if (o.check) option.argParser(checked(o.check));
    if (o.default !== undefined) option.default(o.default);
    leaf.addOption(option);
  }
  const optional = (spec.options ?? []).length > required.length ? ['[options]'] : [];
  const usage = [...required, ...optional, ...leaf.registeredArguments.map(argumentTerm)].join(' ');
  terms.set(leaf, [spec.name, usage].filter(Boolean).join(' '));
  return usage ? leaf.usage(usage) : leaf;
}

function checked(check: (value: string) => string | null) {
  return (value: string) => {
    const problem = check(value);
    // Commander writes "argument 'x' is invalid." before it: the problem follows as a sentence.
    if (problem !== null) throw new InvalidArgumentError(`${problem[0]!.toUpperCase()}${problem.slice(1)}.`);
    return value;
  };
}

function inputOf(leaf: Command, spec: CommandSpec): CommandInput {
  const values = leaf.opts<Record<string, string | undefined>>();
  return {
    args: Object.fromEntries((spec.arguments ?? []).map((a, i) => [a.name, leaf.processedArgs[i] as string | undefined])),
    options: Object.fromEntries((spec.options ?? []).map((o) => [o.name, values[new Option(`--${o.name}`).attributeName()]])),
  };
}

const argumentTerm = (argument: Argument) => (argument.required ? `<${argument.name()}>` : `[${argument.name()}]`);

/** Help lists every command by its whole name (`events broker list`), with its required options. */
const HELP: Partial<Help> = {
  // Long terms would leave descriptions unwrapped past 80 columns.
  minWidthToWrap: 20,
  formatHelp(cmd, helper) {
    const listing: Help = Object.create(helper);
    listing.visibleCommands = (c) => [...runnableUnder(helper, c), ...helper.visibleCommands(c).filter((help) => !help.parent)];
    return Help.prototype.formatHelp.call(this, cmd, listing);
  },
  subcommandTerm(cmd) {
    return terms.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
  },
};

/** The commands that run (not their groups) under `cmd`; commander's own help command is not among them. */
function runnableUnder(helper: Help, cmd: Command): Command[] {
  return helper.visibleCommands(cmd).flatMap((c) => (!c.parent ? [] : c.commands.length > 0 ? runnableUnder(helper, c) : [c]));
}
