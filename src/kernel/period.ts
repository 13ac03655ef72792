/** Months (`YYYY-MM`) and days (`YYYY-MM-DD`), always UTC. */

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isMonth(value: string): boolean {
  return MONTH.test(value);
}

/** True for a real calendar day: `2026-02-30` is false. */
export function isDay(value: string): boolean {
  const match = DAY.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** First and last day of a month: `2026-02` → `2026-02-01`, `2026-02-28`. */
export function monthBounds(month: string): { from: string; to: string } {
  const match = MONTH.exec(month);
  if (!match) throw new RangeError(`not a month: ${month}`);
  const last = daysInMonth(Number(match[1]), Number(match[2]));
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

export function monthOf(day: string): string {
  return day.slice(0, 7);
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export function dayOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** True once the whole month lies before `now`'s month (UTC): only such a month can be invoiced. */
export function monthHasEnded(month: string, now: Date): boolean {
  return month < now.toISOString().slice(0, 7);
}
