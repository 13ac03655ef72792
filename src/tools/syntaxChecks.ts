/**
 * The walls dependency-cruiser cannot check, over the files it cruised: import
 * forms it cannot follow (importForms.ts, requiredEdges.ts) and cycles of facade
 * calls between modules (facadeCycles.ts). Their violations have the same shape
 * as dependency-cruiser's, so the report and the baseline treat them alike.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ICruiseResult, IViolation } from 'dependency-cruiser';
import { violationKey } from './boundaryBaseline.ts';
import { facadeViolations } from './facadeCycles.ts';
import { findImportForms } from './importForms.ts';
import { checkRequiredEdge, packageTypes } from './requiredEdges.ts';

const PRODUCTION_SOURCE = /^(src|modules)\/.*\.[cm]?[jt]s$/;

export function syntaxViolations(base: string, cruise: ICruiseResult): IViolation[] {
  const rules = cruise.summary.ruleSetUsed?.forbidden ?? [];
  const packages = packageTypes(base);
  const found: IViolation[] = [];
  for (const { source } of cruise.modules) {
    if (!PRODUCTION_SOURCE.test(source)) continue;
    for (const form of findImportForms(source, readFileSync(join(base, source), 'utf8'))) {
      if (form.kind === 'required') {
        found.push(...checkRequiredEdge(base, source, form.specifier, rules, packages));
      } else {
        const to = form.kind === 'computed' ? form.call : form.use;
        found.push({ type: 'dependency', from: source, to, rule: { name: 'no-computed-import', severity: 'error' } });
      }
    }
  }
  found.push(...facadeViolations(base, cruise));
  // The same form written twice in a file is one violation, as an import repeated is one dependency.
  return [...new Map(found.map((v) => [violationKey(v), v])).values()];
}
