/**
 * The recorded known boundary violations (`boundaries.baseline.json`) and the
 * ratchet over them: a violation not in the file fails the lint, and so does an
 * entry that no longer occurs, so the file can only shrink. The file keeps
 * dependency-cruiser's own baseline format (`depcruise --ignore-known` reads it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IViolation } from 'dependency-cruiser';

export const BASELINE_FILE = 'boundaries.baseline.json';

export interface BaselineComparison {
  newViolations: IViolation[];
  staleEntries: IViolation[];
  knownCount: number;
}

/** Identity of a violation: rule, edge and, for cycles, the whole cycle. */
export function violationKey(v: IViolation): string {
  const path = (v.cycle ?? v.via ?? []).map((step) => step.name).join(' → ');
  return [v.rule.name, v.from, v.to, path].join('|');
}

export function readBaseline(file: string): IViolation[] {
  if (!existsSync(file)) return [];
  const entries: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(entries)) throw new Error(`${file} must hold a JSON array of violations`);
  return entries as IViolation[];
}

/** Writes only what identifies a violation, sorted, so re-recording an unchanged tree changes nothing. */
export function writeBaseline(file: string, violations: IViolation[]): void {
  const entries = violations
    .map((v) => ({
      type: v.type ?? 'dependency',
      from: v.from,
      to: v.to,
      rule: { severity: v.rule.severity, name: v.rule.name },
      ...(v.cycle ? { cycle: v.cycle } : {}),
      ...(v.via ? { via: v.via } : {}),
    }))
    .sort((a, b) => compare(violationKey(a), violationKey(b)));
  writeFileSync(file, JSON.stringify(entries, null, 2) + '\n');
}

export function compareWithBaseline(current: IViolation[], baseline: IViolation[]): BaselineComparison {
  const known = new Set(baseline.map(violationKey));
  const occurring = new Set(current.map(violationKey));
  const newViolations = current.filter((v) => !known.has(violationKey(v)));
  return {
    newViolations,
    staleEntries: baseline.filter((v) => !occurring.has(violationKey(v))),
    knownCount: current.length - newViolations.length,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
