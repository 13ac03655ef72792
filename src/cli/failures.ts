/**
 * How a failed command reads: one line on stderr, exit 1 (2 for a usage error, see program.ts), and
 * a stack trace only with LOG_LEVEL=debug, for the bug that is not the operator's to fix.
 */
import fs from 'node:fs';
import { ConfigError } from '../config.ts';
import type { CommandIO } from '../kernel/index.ts';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A command cannot go on for a reason the operator can act on: the message says it all. */
export class CommandFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailure';
  }
}

const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, path } = error as NodeJS.ErrnoException;
  if (code && path && FILE_PROBLEMS[code]) return `cannot read ${path}: ${FILE_PROBLEMS[code]}`;
  return error.message;
}

export function reportFailure(error: unknown, io: CommandIO): number {
  io.err.write(`error: ${messageOf(error)}\n`);
  const expected = error instanceof CommandFailure || error instanceof ConfigError;
  const verbose = ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
  if (verbose && !expected && error instanceof Error && error.stack) io.err.write(`${error.stack}\n`);
  return EXIT_FAILURE;
}

/** Before a command opens anything: the file it is to read exists, is a file, and may be read. */
export function checkReadableFile(file: string): void {
  try {
    if (fs.statSync(file).isDirectory()) throw new CommandFailure(`cannot read ${file}: it is a directory`);
    fs.accessSync(file, fs.constants.R_OK);
  } catch (error) {
    throw error instanceof CommandFailure ? error : new CommandFailure(messageOf(error));
  }
}
