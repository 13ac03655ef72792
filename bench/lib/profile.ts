/**
 * Reads a V8 CPU profile (`node --cpu-prof`) into a short summary: self time
 * by where the code lives (seams' own folders, each npm package, Node itself,
 * GC, idle) and the hottest functions.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  startTime: number;
  endTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  byArea: { area: string; ms: number; share: number }[];
  topFunctions: { name: string; where: string; ms: number; share: number }[];
}

function area(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'V8/native (program)';
  if (!url) return 'native';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/(src\/[^/]+|modules\/[^/]+)\//.exec(url);
  return own ? own[1]! : path.basename(url);
}

/** `window`: only the samples of the last `window` ms before the profile ended (the measured load, not start-up). */
export function summarizeProfile(file: string, top = 15, window?: { lastMs: number; skipEndMs: number }): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const to = profile.endTime - (window?.skipEndMs ?? 0) * 1000;
  const from = window ? to - window.lastMs * 1000 : -Infinity;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= from && at <= to) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const areas = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; ms: number }>();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const ms = micros / 1000;
    total += ms;
    const a = area(url, functionName);
    if (a === 'idle') idle += ms;
    areas.set(a, (areas.get(a) ?? 0) + ms);
    const where = url ? `${url.replace(/^file:\/\/.*?\/(node_modules|src|modules)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const entry = functions.get(key) ?? { name: functionName || '(anonymous)', where, ms: 0 };
    entry.ms += ms;
    functions.set(key, entry);
  }
  const busy = total - idle;
  const share = (ms: number) => (busy > 0 ? ms / busy : 0);
  return {
    totalMs: total,
    busyMs: busy,
    byArea: [...areas]
      .filter(([a]) => a !== 'idle')
      .map(([a, ms]) => ({ area: a, ms, share: share(ms) }))
      .sort((x, y) => y.ms - x.ms)
      .slice(0, top),
    topFunctions: [...functions.values()]
      .filter((f) => f.name !== '(idle)')
      .map((f) => ({ ...f, share: share(f.ms) }))
      .sort((x, y) => y.ms - x.ms)
      .slice(0, top),
  };
}

export function latestProfile(dir: string): string | null {
  if (!fs.existsSync(dir)) return null;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f));
  // tsx runs its loader on a thread of its own, which writes a profile too: the main thread's is the largest.
  files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  return files[0] ?? null;
}
