/**
 * Which facades each module calls, read from the syntax tree of its index.ts
 * (`defineModule({ uses: [otherContract] })`, each contract imported by name,
 * its import resolved by dependency-cruiser), and the cycles among them: calls
 * between modules must run one way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ICruiseResult, IViolation } from 'dependency-cruiser';
import ts from 'typescript';

const MODULE_INDEX = /^modules\/([^/]+)\/index\.ts$/;
const CONTRACT = /^modules\/([^/]+)\/contract\.ts$/;

const folder = (module: string) => `modules/${module}/`;

/** The module each `uses` entry names; entries it cannot read are violations of their own. */
function readUses(base: string, index: string, resolvedImports: Map<string, string>) {
  const source = ts.createSourceFile(index, readFileSync(join(base, index), 'utf8'), ts.ScriptTarget.Latest, true);
  const importedFrom = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) importedFrom.set(element.name.text, statement.moduleSpecifier.text);
  }
  const used: string[] = [];
  const unreadable: string[] = [];
  const visit = (node: ts.Node): void => {
    const definition =
      ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'defineModule'
        ? node.arguments[0]
        : undefined;
    if (definition && ts.isObjectLiteralExpression(definition)) {
      for (const property of definition.properties) {
        if (property.name?.getText() !== 'uses') continue;
        const value = ts.isPropertyAssignment(property) ? property.initializer : property;
        const entries = ts.isArrayLiteralExpression(value) ? value.elements : [value];
        for (const entry of entries) {
          const specifier = ts.isIdentifier(entry) ? importedFrom.get(entry.text) : undefined;
          const module = CONTRACT.exec(resolvedImports.get(specifier ?? '') ?? '')?.[1];
          if (module) used.push(module);
          else unreadable.push(`uses: ${entry.getText()}`);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { used, unreadable };
}

/** Every elementary cycle once, starting from its alphabetically first module. */
export function findCycles(graph: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const modules = [...graph.keys()].sort();
  for (const start of modules) {
    const walk = (path: string[]): void => {
      for (const next of [...(graph.get(path.at(-1)!) ?? [])].sort()) {
        if (next === start) cycles.push(path);
        else if (next > start && !path.includes(next)) walk([...path, next]);
      }
    };
    walk([start]);
  }
  return cycles;
}

export function facadeViolations(base: string, cruise: ICruiseResult): IViolation[] {
  const graph = new Map<string, Set<string>>();
  const violations: IViolation[] = [];
  for (const file of cruise.modules) {
    const module = MODULE_INDEX.exec(file.source)?.[1];
    if (!module) continue;
    const resolvedImports = new Map(file.dependencies.map((d) => [d.module, d.resolved]));
    const { used, unreadable } = readUses(base, file.source, resolvedImports);
    graph.set(module, new Set(used));
    for (const to of unreadable) {
      violations.push({ type: 'dependency', from: file.source, to, rule: { name: 'module-uses-lists-contracts', severity: 'error' } });
    }
  }
  for (const cycle of findCycles(graph)) {
    const steps = [...cycle.slice(1), cycle[0]!].map((module) => ({ name: folder(module), dependencyTypes: [] }));
    violations.push({
      type: 'cycle',
      from: folder(cycle[0]!),
      to: steps[0]!.name,
      cycle: steps,
      rule: { name: 'no-facade-cycle', severity: 'error' },
    });
  }
  return violations;
}
