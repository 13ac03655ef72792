/**
 * Warm-up that goes on until the rate stops rising: the first seconds of a
 * fresh server run far below the rest (JIT, lazily loaded code, connection
 * pools), and a fixed warm-up left some of that in the first measured round.
 */
import { fmt } from './stats.ts';

/** A slice within this share of the one before (or below it) means the rate has stopped rising. */
export const STEADY_WITHIN = 0.03;

/**
 * Runs `slice` (which returns a rate, higher is faster) until a slice is no
 * more than STEADY_WITHIN above the one before, at most `maxSlices` times;
 * returns every slice's rate.
 */
export async function warmUntilSteady(slice: () => Promise<number>, maxSlices: number): Promise<number[]> {
  const rates: number[] = [];
  while (rates.length < maxSlices) {
    rates.push(await slice());
    const [before, last] = rates.slice(-2) as [number, number];
    if (rates.length >= 2 && last <= before * (1 + STEADY_WITHIN)) break;
  }
  return rates;
}

/** `712 → 1,120 → 1,150 req/s (steady after 3 slices)` or `(… not steady after the cap of 10)`. */
export function describeWarmUp(rates: number[], maxSlices: number, unit: string): string {
  const [before, last] = rates.slice(-2) as [number, number];
  const steady = rates.length >= 2 && last <= before * (1 + STEADY_WITHIN);
  const end =
    maxSlices === 1
      ? 'one slice, no more allowed'
      : steady
        ? `steady after ${rates.length} slices`
        : `not steady after the cap of ${maxSlices}`;
  return `${rates.map((r) => fmt(r)).join(' → ')} ${unit} (${end})`;
}
