/**
 * The machine's load around each figure, and the refusal to report figures
 * measured on a busy machine: issue 17 saw the same figure move by a third
 * between runs, so a page of figures is written only when each one started
 * on a quiet machine (or the run says it accepts the load, and the page says so).
 */
import fs from 'node:fs';
import os from 'node:os';
import { fmt } from './stats.ts';

/**
 * Above this 1-minute load average at its start, a figure of a run saved before
 * the other processes' CPU was taken started on a busy machine.
 */
export const MAX_LOAD_AT_START = 1.0;

/**
 * Above this many cores' worth of CPU used by other processes just before a
 * figure, the figure started on a busy machine. The 1-minute load average
 * cannot tell: the bench's own work keeps it above 1 for minutes (the figure
 * before, or the bench's own start: 0.86 when a run was started, 1.28 when
 * its first figure began), so each figure's start is judged by what the
 * machine's CPU did in the seconds before it, the bench itself left out.
 */
export const MAX_OTHERS_CORES = 0.25;

/** How long the CPU is watched before a figure, and how long a full run waits for a quiet one (PostgreSQL's checkpoint after a big write, say). */
const SAMPLE_MS = 2_000;
const SETTLE_MS = 60_000;

export interface FigureLoad {
  figure: string;
  /** 1, 5 and 15-minute load averages at the start and at the end of the figure. */
  before: number[];
  after: number[];
  /** Cores' worth of CPU that processes other than the bench used in the seconds before the figure. */
  othersCores?: number;
}

export const fmtLoad = (values: number[]) => values.map((l) => fmt(l, 2)).join(' ');

/** Busy and total jiffies of every core, from /proc/stat (null where there is none). */
function cpuTicks(): { busy: number; total: number } | null {
  if (!fs.existsSync('/proc/stat')) return null;
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = fields[3]! + fields[4]!; // idle + iowait
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Cores' worth of CPU used by every process but this one over `ms` (the bench's children are all stopped between figures). */
async function othersCores(ms: number): Promise<number> {
  const [ticks, own] = [cpuTicks(), process.cpuUsage()];
  if (!ticks) return 0;
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTicks()!;
  const ownSpent = process.cpuUsage(own);
  const cores = os.cpus().length;
  const busyCores = ((after.busy - ticks.busy) / (after.total - ticks.total)) * cores;
  const ownCores = (ownSpent.user + ownSpent.system) / 1000 / ms;
  return Math.max(0, busyCores - ownCores);
}

export const busy = (load: FigureLoad) =>
  load.othersCores === undefined ? load.before[0]! > MAX_LOAD_AT_START : load.othersCores > MAX_OTHERS_CORES;

/** Waits (up to `waitMs`) for the other processes to leave the CPU; returns their share in the last sample. */
async function settle(waitMs: number, sampleMs: number): Promise<number> {
  const until = Date.now() + waitMs;
  let others = await othersCores(sampleMs);
  while (others > MAX_OTHERS_CORES && Date.now() < until) others = await othersCores(sampleMs);
  return others;
}

/** Runs one figure, the other processes' CPU and the load average taken before it and the load average after (printed, and kept in `loads`). */
export async function underLoadWatch<T>(
  loads: FigureLoad[],
  figure: string,
  settings: { quick: boolean; log: (line: string) => void },
  measure: () => Promise<T>,
): Promise<T> {
  // --quick looks for a quarter of a second and does not wait (it must stay under 3 minutes).
  const others = await settle(settings.quick ? 0 : SETTLE_MS, settings.quick ? SAMPLE_MS / 8 : SAMPLE_MS);
  const load: FigureLoad = { figure, before: os.loadavg(), after: [], othersCores: others };
  const busyNote = busy(load) ? ' (busy)' : '';
  settings.log(`  before ${figure}: load average ${fmtLoad(load.before)}, other processes ${fmt(others, 2)} cores${busyNote}`);
  const started = Date.now();
  const result = await measure();
  load.after = os.loadavg();
  loads.push(load);
  settings.log(`  after ${figure} (${fmt((Date.now() - started) / 1000, 1)} s): load average ${fmtLoad(load.after)}`);
  return result;
}

/** `SQLite hot read (0.42 cores)`: a figure that started on a busy machine, and how busy. */
const describeBusy = (l: FigureLoad) =>
  l.othersCores === undefined ? `${l.figure} (load average ${fmt(l.before[0]!, 2)})` : `${l.figure} (${fmt(l.othersCores, 2)} cores)`;

/** Why these figures may not be reported (a sentence), or null when every figure started with other processes using at most MAX_OTHERS_CORES. */
export function loadRefusal(loads: FigureLoad[]): string | null {
  const high = loads.filter(busy);
  if (high.length === 0) return null;
  const limit = high.some((l) => l.othersCores === undefined)
    ? `${MAX_OTHERS_CORES} cores (or a load average of ${MAX_LOAD_AT_START})`
    : `${MAX_OTHERS_CORES} cores`;
  return `other processes used more than ${limit} at the start of ${high.length} of ${loads.length} figures: ${high.map(describeBusy).join(', ')}`;
}
