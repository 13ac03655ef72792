/** Drives bench/loadgen.ts in its own process on the load core, and keeps rounds alternating. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { median, spreadOf, type Spread } from './stats.ts';
import { LOAD_CORE, ROOT, cpuMs, pinned } from './processes.ts';
import { describeWarmUp, warmUntilSteady } from './warmUp.ts';

export interface LoadResult {
  requests: number;
  ok: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  /** The servers' CPU time per request (µs), when the contender names their processes. */
  cpuUsPerRequest?: number;
}

export interface LoadSpec {
  url: string;
  paths: string[];
  headers?: Record<string, string>;
  connections?: number;
  method?: string;
  body?: string;
  /** How long to load; or `amount` requests instead (one connection and as many paths: each path once). */
  seconds?: number;
  amount?: number;
  /** The first responses are warm-up: left out of the figures. */
  uncounted?: number;
}

export const CONNECTIONS = 64;

/** The load generator, started on the first load and kept until stopLoadGenerator(); its answers, in order. */
let generator: { child: ChildProcessWithoutNullStreams; lines: AsyncIterator<string>; stderr: () => string } | null = null;
/** Loads run one after another, in the order asked. */
let queue: Promise<unknown> = Promise.resolve();

function loadGenerator(): NonNullable<typeof generator> {
  if (generator) return generator;
  const [command, args] = pinned(LOAD_CORE, process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/loadgen.ts')]);
  const child = spawn(command, args, { cwd: ROOT, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-10_000)));
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return (generator = { child, lines, stderr: () => stderr });
}

/** Ends the load generator (the run's last load is done). */
export async function stopLoadGenerator(): Promise<void> {
  const ended = generator;
  generator = null;
  if (!ended || ended.child.exitCode !== null) return;
  const exited = new Promise((resolve) => ended.child.once('exit', resolve));
  ended.child.stdin.end();
  await exited;
}

export function load(spec: LoadSpec): Promise<LoadResult> {
  const payload = JSON.stringify({ connections: CONNECTIONS, headers: {}, ...spec });
  const run = queue.then(async () => {
    const { child, lines, stderr } = loadGenerator();
    child.stdin.write(`${payload}\n`);
    const answer = await lines.next();
    if (answer.done) {
      generator = null;
      throw new Error(`load generator failed: it exited (${child.exitCode ?? child.signalCode})\n${stderr()}`);
    }
    const result = JSON.parse(answer.value) as LoadResult;
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`load on ${spec.url}${spec.paths[0]} had ${result.non2xx} non-2xx answers and ${result.errors} errors`);
    }
    return result;
  });
  queue = run.catch(() => undefined);
  return run;
}

export interface Contender {
  name: string;
  spec: Omit<LoadSpec, 'seconds'>;
  /** The server processes answering: their CPU time per request is taken round by round. */
  pids?: number[];
}

export interface Comparison {
  /** Each contender's warm-up slices, req/s, until the rate stopped rising. */
  warmup: Record<string, number[]>;
  rounds: Record<string, LoadResult[]>;
  median: Record<string, { rps: number; p50: number; p99: number; cpuUsPerRequest: number }>;
}

export interface CompareOptions {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  warmupSlices: number;
  log?: (line: string) => void;
}

/**
 * Warms every contender up until its rate stops rising, then runs `rounds`
 * rounds, each contender once per round, the order alternating between
 * rounds; figures are the medians, ratios are taken round by round.
 */
export async function compare(contenders: Contender[], options: CompareOptions): Promise<Comparison> {
  const warmup: Record<string, number[]> = {};
  for (const contender of contenders) {
    const slice = async () => (await load({ ...contender.spec, seconds: options.warmupSeconds })).rps;
    warmup[contender.name] = await warmUntilSteady(slice, options.warmupSlices);
    options.log?.(`    warm-up ${contender.name}: ${describeWarmUp(warmup[contender.name]!, options.warmupSlices, 'req/s')}`);
  }
  const rounds: Record<string, LoadResult[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) {
      const cpuBefore = cpuMs(contender.pids ?? []);
      const result = await load({ ...contender.spec, seconds: options.seconds });
      if (contender.pids) result.cpuUsPerRequest = ((cpuMs(contender.pids) - cpuBefore) * 1000) / result.requests;
      rounds[contender.name]!.push(result);
      options.log?.(
        `    round ${round + 1} ${contender.name}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms`,
      );
    }
  }
  return { warmup, rounds, median: mediansOf(rounds) };
}

/** `over` ÷ `under` in req/s, round by round (both ran in the same round, one after the other). */
export function ratioSpread(c: Comparison, over: string, under: string): Spread {
  return spreadOf(c.rounds[over]!.map((result, i) => result.rps / c.rounds[under]![i]!.rps));
}

/** Each contender's median req/s, p50, p99 and CPU per request (NaN where not taken) over its rounds. */
export function mediansOf(rounds: Record<string, LoadResult[]>): Comparison['median'] {
  return Object.fromEntries(
    Object.entries(rounds).map(([name, results]) => [
      name,
      {
        rps: median(results.map((r) => r.rps)),
        p50: median(results.map((r) => r.p50)),
        p99: median(results.map((r) => r.p99)),
        cpuUsPerRequest: median(results.map((r) => r.cpuUsPerRequest ?? NaN)),
      },
    ]),
  );
}
