/**
 * Child processes for the benchmarks: servers pinned to core 0, load generator
 * and CLI runs where the caller says, RSS and CPU time read from /proc, free ports.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasTaskset } from './machine.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * seams runs as `npm start` runs it, compiled (dist/, which `buildSeams()` brings up to date before a run);
 * the bench's own servers and floors from their TypeScript, through tsx.
 */
const loaderOf = (script: string) => (script.endsWith('.ts') ? ['--import', 'tsx'] : ['--enable-source-maps']);
const PINNING = hasTaskset();

/** The compiled CLI, as `npm run cli` runs it (the server is `startSeams` in servers.ts). */
export const SEAMS_CLI = path.join(ROOT, 'dist/src/cli.js');

/** `npm run build`: dist/ up to date with the sources, as `npm start` makes it before it starts the server. */
export function buildSeams(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'src/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

/** Core 0 serves; core 1 generates load (when the machine has two cores and taskset). */
export const SERVER_CORE = '0';
export const LOAD_CORE = '1';

export function pinned(core: string | null, command: string, args: string[]): [string, string[]] {
  return PINNING && core !== null ? ['taskset', ['-c', core, command, ...args]] : [command, args];
}

/** Pins a running process, every thread of it, to `core` (a server started on every core, once it is ready). */
export function pinRunning(pid: number, core: string | null): void {
  if (PINNING && core !== null) execFileSync('taskset', ['-a', '-p', '-c', core, String(pid)], { stdio: 'ignore' });
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<number | null>;
  /** Resident set size now and the peak so far (bytes), from /proc/<pid>/status. */
  memory(): Memory | null;
  stop(): Promise<void>;
}

/** The node process itself (taskset execs node, so the pid is node's). */
export function start(
  script: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; core?: string | null; nodeArgs?: string[]; cwd?: string; logFile?: string },
): Proc {
  const [command, argv] = pinned(options.core ?? null, process.execPath, [
    ...(options.nodeArgs ?? []),
    ...loaderOf(script),
    script,
    ...args,
  ]);
  const log = options.logFile ? fs.openSync(options.logFile, 'a') : null;
  const child = spawn(command, argv, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', log ?? 'pipe', log === null ? 'pipe' : log],
  });
  if (log !== null) fs.closeSync(log);
  let out = '';
  child.stdout?.on('data', (d) => (out.length < 1_000_000 ? (out += d) : undefined));
  child.stderr?.on('data', (d) => (out.length < 1_000_000 ? (out += d) : undefined));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    pid: child.pid!,
    output: () => out + (options.logFile && fs.existsSync(options.logFile) ? tail(options.logFile) : ''),
    exited,
    memory: () => readMemory(child.pid!),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function tail(file: string): string {
  const text = fs.readFileSync(file, 'utf8');
  return text.slice(-4000);
}

/** Bytes: resident now, at peak, and what the resident memory is: file pages (the node binary, shared libraries) and anonymous (heaps). */
export interface Memory {
  rss: number;
  peak: number;
  file: number;
  anon: number;
}

export function readMemory(pid: number): Memory | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM'), file: kb('RssFile'), anon: kb('RssAnon') };
  } catch {
    return null;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system) the processes have used so far, in ms, from /proc/<pid>/stat
 * (10 ms steps): what a server spent, whoever else shared its core. NaN without /proc.
 */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      return NaN;
    }
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

/** Runs a process to its end, sampling its memory; resolves with its exit code, output, time and peak RSS. */
export async function runToEnd(script: string, args: string[], options: Parameters<typeof start>[2] & { sampleMs?: number }) {
  const started = performance.now();
  const proc = start(script, args, options);
  let peak = 0;
  const sample = () => {
    const m = proc.memory();
    if (m) peak = Math.max(peak, ...[m.peak, m.rss].filter(Number.isFinite));
  };
  const timer = setInterval(sample, options.sampleMs ?? 50);
  const code = await proc.exited;
  clearInterval(timer);
  return { code, ms: performance.now() - started, peakRss: peak, output: proc.output() };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers 200; returns the milliseconds waited, or throws with the process's output. */
export async function waitReady(url: string, proc: Proc, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  let exited = false;
  void proc.exited.then(() => (exited = true));
  while (performance.now() - started < timeoutMs) {
    if (exited) throw new Error(`process exited before ${url} was ready:\n${proc.output()}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${proc.output()}`);
}
