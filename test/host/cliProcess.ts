/** The CLI as operators run it: a child process, its stdout and stderr apart, and its exit code. */
import { execFile } from 'node:child_process';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run cli -- <args>` without npm's own start-up (node with tsx, as the script does), with
 * the settings given and none inherited: no SEAMS_DATA_DIR or DATABASE_URL leaks in from the shell.
 */
export function cli(args: string[], env: NodeJS.ProcessEnv, script = 'src/cli.ts'): Promise<CliRun> {
  const settings = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', ...env };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { env: settings }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}
