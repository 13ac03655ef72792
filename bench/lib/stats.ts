/** Medians and ratios: every figure in the report is the median of its rounds. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (value: number, digits = 0) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export const fmt = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—';

export const mib = (bytes: number) => bytes / (1024 * 1024);

/** A figure over its rounds: the median and the extremes, so a goal can be judged on every round and not on one number. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  rounds: number;
}

export function spreadOf(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), rounds: values.length };
}

/** `0.87× (0.84–0.90, 5 rounds)`; one round has no spread to show. */
export function fmtSpread(s: Spread, digits = 2, unit = '×'): string {
  const rounds = `${s.rounds} round${s.rounds === 1 ? '' : 's'}`;
  const range = s.rounds > 1 ? `${fmt(s.min, digits)}–${fmt(s.max, digits)}, ` : '';
  return `${fmt(s.median, digits)}${unit} (${range}${rounds})`;
}
