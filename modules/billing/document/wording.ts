/** How amounts, rates and dates read on the invoice document: exact, grouped, in words where a person reads them. */

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Cents as `1,234.56` (BigInt: no floating-point division). */
export function formatMinor(minor: number): string {
  const value = BigInt(minor);
  const abs = value < 0n ? -value : value;
  return `${value < 0n ? '-' : ''}${group(String(abs / 100n))}.${String(abs % 100n).padStart(2, '0')}`;
}

/** Micros as dollars, exact: `1,500.00`, `3.333333` (at least two decimals, no trailing zeros past them). */
export function formatMicros(micros: number): string {
  const value = BigInt(micros);
  const fraction = String(value % 1_000_000n)
    .padStart(6, '0')
    .replace(/0{1,4}$/, '');
  return `${group(String(value / 1_000_000n))}.${fraction.padEnd(2, '0')}`;
}

export const formatCount = (n: number) => group(String(n));

/** Basis points as a percentage: 7000 → `70.00%`. */
export const formatRate = (bps: number) => `${Math.trunc(bps / 100)}.${String(bps % 100).padStart(2, '0')}%`;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `2026-03` → `March 2026`. */
export const monthInWords = (period: string) => `${MONTHS[Number(period.slice(5, 7)) - 1]} ${period.slice(0, 4)}`;

/** `2026-04-10` (or a timestamp) → `10 April 2026`. */
export const dayInWords = (day: string) => `${Number(day.slice(8, 10))} ${MONTHS[Number(day.slice(5, 7)) - 1]} ${day.slice(0, 4)}`;

/** `2026-02` → `1–28 February 2026`. */
export function monthSpan(period: string): string {
  const last = new Date(Date.UTC(Number(period.slice(0, 4)), Number(period.slice(5, 7)), 0)).getUTCDate();
  return `1–${last} ${monthInWords(period)}`;
}
