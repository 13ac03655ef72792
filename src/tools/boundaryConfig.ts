/**
 * What boundaries.config.js adds to dependency-cruiser's configuration: the
 * rules the lint checks in the syntax tree itself (`syntaxRules`) and the named,
 * reviewed exceptions (`exceptions`), with the step that applies them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IViolation } from 'dependency-cruiser';

export const CONFIG_FILE = 'boundaries.config.js';

export interface SyntaxRule {
  name: string;
  severity: 'error';
  comment: string;
}

/** Allows every violation of `rule` in the file `from`, for the reason given. */
export interface BoundaryException {
  rule: string;
  from: string;
  because: string;
}

export interface LintConfig {
  syntaxRules: SyntaxRule[];
  exceptions: BoundaryException[];
}

export async function loadLintConfig(base: string): Promise<LintConfig> {
  const file = join(base, CONFIG_FILE);
  const config = (await import(pathToFileURL(file).href)) as Partial<LintConfig>;
  const syntaxRules = config.syntaxRules ?? [];
  const exceptions = config.exceptions ?? [];
  for (const exception of exceptions) {
    if (!exception.rule || !exception.from || !exception.because?.trim()) {
      throw new Error(`${file}: each exception names its rule, its file (from) and why it is allowed (because)`);
    }
  }
  return { syntaxRules, exceptions };
}

export interface ExceptionsApplied {
  violations: IViolation[];
  excused: IViolation[];
  /** Exceptions whose file exists but no longer breaks their rule. */
  staleExceptions: BoundaryException[];
}

export function applyExceptions(base: string, found: IViolation[], exceptions: BoundaryException[]): ExceptionsApplied {
  const excusing = (v: IViolation) => exceptions.find((e) => e.rule === v.rule.name && e.from === v.from);
  const excused = found.filter((v) => excusing(v));
  return {
    violations: found.filter((v) => !excusing(v)),
    excused,
    // A tree without the file (a test fixture, a generated benchmark tree) has nothing to excuse there.
    staleExceptions: exceptions.filter(
      (e) => existsSync(join(base, e.from)) && !excused.some((v) => v.rule.name === e.rule && v.from === e.from),
    ),
  };
}
