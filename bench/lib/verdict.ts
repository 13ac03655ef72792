/**
 * A goal judged on every round, not on one number: met when all rounds meet
 * it, missed when none does, and undecided when the rounds fall on both sides
 * of it (such a figure does not decide the goal either way).
 */
import type { Spread } from './stats.ts';

export type Verdict = 'met' | 'missed' | 'undecided';

export interface Goal {
  id: string;
  figure: string;
  text: string;
  measured: string;
  verdict: Verdict;
}

/** Met when every round is at least `goal`, missed when none is. */
export function atLeast(spread: Spread, goal: number): Verdict {
  return spread.min >= goal ? 'met' : spread.max < goal ? 'missed' : 'undecided';
}

/** Met when every round is at most `goal`, missed when none is. */
export function atMost(spread: Spread, goal: number): Verdict {
  return spread.max <= goal ? 'met' : spread.min > goal ? 'missed' : 'undecided';
}

/** How a verdict reads in the terminal and on the page. */
export const VERDICT_TEXT: Record<Verdict, { terminal: string; page: string }> = {
  met: { terminal: 'met      ', page: 'met' },
  missed: { terminal: 'NOT MET  ', page: '**not met**' },
  undecided: { terminal: 'UNDECIDED', page: '**undecided** (the rounds straddle the goal)' },
};
