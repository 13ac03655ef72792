/**
 * The machine's load around each figure, and the refusal to report figures
 * measured on a busy machine: issue 17 saw the same figure move by a third
 * between runs, so a page of figures is written only when each one started
 * on a quiet machine (or the run says it accepts the load, and the page says so).
 */
import os from 'node:os';
import { fmt } from './stats.ts';

/**
 * Above this 1-minute load average at the start of a figure, the run is not
 * reported. The bench pins its server to one of this machine's two cores and
 * its load generator to the other: a load of 1 besides it is another process
 * holding a whole core's worth of run queue, enough to move a ratio by more
 * than the goals' margins.
 */
export const MAX_LOAD_AT_START = 1.0;

/**
 * The bench's own last figure keeps the 1-minute average up (it decays by
 * e in 60 s): a full run waits up to this long for it to fall below the
 * threshold before the next figure. --quick does not wait (it must stay under 3 minutes).
 */
const SETTLE_MS = 90_000;

export interface FigureLoad {
  figure: string;
  /** 1, 5 and 15-minute load averages at the start and at the end of the figure. */
  before: number[];
  after: number[];
}

export const fmtLoad = (values: number[]) => values.map((l) => fmt(l, 2)).join(' ');

const busy = (load: FigureLoad) => load.before[0]! > MAX_LOAD_AT_START;

async function settle(waitMs: number): Promise<void> {
  const until = Date.now() + waitMs;
  while (os.loadavg()[0]! > MAX_LOAD_AT_START && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 2_000));
}

/** Runs one figure, its load average taken before and after (printed, and kept in `loads`). */
export async function underLoadWatch<T>(
  loads: FigureLoad[],
  figure: string,
  settings: { quick: boolean; log: (line: string) => void },
  measure: () => Promise<T>,
): Promise<T> {
  if (!settings.quick) await settle(SETTLE_MS);
  const before = os.loadavg();
  const busyNote = before[0]! > MAX_LOAD_AT_START ? ` (above ${MAX_LOAD_AT_START.toFixed(1)}: busy)` : '';
  settings.log(`  load average before ${figure}: ${fmtLoad(before)}${busyNote}`);
  const result = await measure();
  const after = os.loadavg();
  loads.push({ figure, before, after });
  settings.log(`  load average after ${figure}: ${fmtLoad(after)}`);
  return result;
}

/** Why these figures may not be reported (a sentence), or null when every figure started on a quiet machine. */
export function loadRefusal(loads: FigureLoad[]): string | null {
  const high = loads.filter(busy);
  if (high.length === 0) return null;
  const which = high.map((l) => `${l.figure} (${fmt(l.before[0]!, 2)})`).join(', ');
  return `the 1-minute load average was above ${MAX_LOAD_AT_START.toFixed(1)} at the start of ${high.length} of ${loads.length} figures: ${which}`;
}
