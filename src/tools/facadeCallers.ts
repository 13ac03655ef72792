/**
 * Who calls which facade method from where, found in the source (TypeScript
 * syntax trees), not in a hand-kept list: any `<x>.<method>(` whose object is
 * named `<module>Facade` (a destructured cradle entry, a property, a variable).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface FacadeCall {
  method: string;
  file: string;
  line: number;
}

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Calls of `module`'s facade in production code outside the module itself. */
export function findFacadeCalls(root: string, module: string, methods: string[]): FacadeCall[] {
  const facade = `${module}Facade`;
  const calls: FacadeCall[] = [];
  const files = [...sourceFiles(path.join(root, 'modules')), ...sourceFiles(path.join(root, 'src'))].filter(
    (file) => !file.startsWith(path.join(root, 'modules', module) + path.sep),
  );
  for (const file of files) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const target = node.expression.expression;
        const name = ts.isIdentifier(target) ? target.text : ts.isPropertyAccessExpression(target) ? target.name.text : '';
        const method = node.expression.name.text;
        if (name === facade && methods.includes(method)) {
          calls.push({ method, file: path.relative(root, file), line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return calls.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
