/**
 * The import forms dependency-cruiser cannot follow, found in one file's syntax
 * tree: an `import()` whose specifier is not a string literal, and the require
 * that `createRequire()` returns, in the ways it is written:
 *
 *   createRequire(import.meta.url)('x')     createRequire(import.meta.url).resolve('x')
 *   const load = createRequire(import.meta.url); load('x'); load.resolve('x')
 *
 * with createRequire imported by name (renamed or not) from 'module' or
 * 'node:module', or reached through that module's namespace or default export.
 */
import ts from 'typescript';

export type ImportForm =
  /** import(…) or a createRequire require(…) whose specifier is computed at run time. */
  | { kind: 'computed'; call: string }
  /** A createRequire load or resolve of a literal specifier that dependency-cruiser does not see. */
  | { kind: 'required'; specifier: string }
  /** createRequire, or a require it returned, handed to other code: what it loads is out of sight. */
  | { kind: 'handedOn'; use: string };

const NODE_MODULE = new Set(['module', 'node:module']);
// Files without either cannot hold these forms; most files are never parsed.
const MAY_HOLD_FORMS = /\bimport\s*\(|createRequire/;

/** A node's source on one line, shortened: it names the violation in the report and the baseline. */
const textOf = (node: ts.Node) => {
  const text = node.getText().replace(/\s+/g, ' ');
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
};
const isLiteral = (node: ts.Node | undefined): node is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral =>
  node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node));

export function findImportForms(file: string, text: string): ImportForm[] {
  if (!MAY_HOLD_FORMS.test(text)) return [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const forms: ImportForm[] = [];
  const creators = new Set<string>();
  const namespaces = new Set<string>();
  const identifiers = new Map<string, ts.Identifier[]>();

  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!NODE_MODULE.has(statement.moduleSpecifier.text) || !statement.importClause) continue;
    const { name, namedBindings } = statement.importClause;
    if (name) namespaces.add(name.text);
    if (namedBindings && ts.isNamespaceImport(namedBindings)) namespaces.add(namedBindings.name.text);
    if (namedBindings && ts.isNamedImports(namedBindings)) {
      for (const element of namedBindings.elements) {
        if ((element.propertyName ?? element.name).text === 'createRequire') creators.add(element.name.text);
      }
    }
  }

  const collect = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && isReference(node)) identifiers.set(node.text, [...(identifiers.get(node.text) ?? []), node]);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && !isLiteral(node.arguments[0])) {
      forms.push({ kind: 'computed', call: textOf(node) });
    }
    ts.forEachChild(node, collect);
  };
  collect(source);

  /** Follows a value that is a require function (`createRequire(…)` or a name bound to one) to its uses. */
  const followRequire = (value: ts.Expression, bound: Set<string>): void => {
    const { outer, user } = useOf(value);
    if (ts.isCallExpression(user) && user.expression === outer) {
      checkSpecifier(user, ts.isIdentifier(value) && value.text === 'require');
    } else if (ts.isPropertyAccessExpression(user) && user.expression === outer) {
      const { outer: access, user: call } = useOf(user);
      if (user.name.text === 'resolve' && ts.isCallExpression(call) && call.expression === access) checkSpecifier(call, false);
      // Other properties (cache, main, resolve.paths) load nothing.
    } else if (ts.isVariableDeclaration(user) && user.initializer === outer && ts.isIdentifier(user.name)) {
      const name = user.name.text;
      if (isExported(user)) forms.push({ kind: 'handedOn', use: textOf(user.parent.parent) });
      else if (!bound.has(name)) for (const use of identifiers.get(name) ?? []) followRequire(use, new Set([...bound, name]));
    } else {
      forms.push({ kind: 'handedOn', use: textOf(ts.isExportSpecifier(user) ? user.parent.parent : user) });
    }
  };

  /** dependency-cruiser already follows `require('literal')`; the other literal forms are the lint's to check. */
  const checkSpecifier = (call: ts.CallExpression, seenByDependencyCruiser: boolean) => {
    const specifier = call.arguments[0];
    if (!isLiteral(specifier)) forms.push({ kind: 'computed', call: textOf(call) });
    else if (!seenByDependencyCruiser) forms.push({ kind: 'required', specifier: specifier.text });
  };

  const followCreator = (creator: ts.Expression): void => {
    const { outer, user } = useOf(creator);
    if (ts.isCallExpression(user) && user.expression === outer) followRequire(user, new Set());
    else forms.push({ kind: 'handedOn', use: textOf(user) });
  };
  for (const name of creators) for (const use of identifiers.get(name) ?? []) followCreator(use);
  for (const name of namespaces) {
    for (const use of identifiers.get(name) ?? []) {
      const access = use.parent;
      if (ts.isPropertyAccessExpression(access) && access.expression === use && access.name.text === 'createRequire') followCreator(access);
    }
  }
  return forms;
}

/**
 * An identifier that reads a value, not one that names a declaration, a property, an import or a
 * type. Names are matched per file, without scopes: a shadowing name is followed too, which errs
 * on the side of reporting.
 */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isTypeQueryNode(parent) || ts.isTypeReferenceNode(parent) || ts.isQualifiedName(parent)) return false;
  if (ts.isPropertyAccessExpression(parent)) return parent.expression === node;
  if (ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent)) return parent.name !== node;
  if (ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) return parent.name !== node;
  return !ts.isImportSpecifier(parent) && !ts.isImportClause(parent) && !ts.isNamespaceImport(parent) && !ts.isBindingElement(parent);
}

function isExported(declaration: ts.VariableDeclaration): boolean {
  const statement = declaration.parent.parent;
  return ts.isVariableStatement(statement) && (statement.modifiers ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** What uses a value, looking past parentheses and type assertions around it (`(x as NodeRequire)('y')`). */
function useOf(value: ts.Node): { outer: ts.Node; user: ts.Node } {
  let outer = value;
  while (
    ts.isParenthesizedExpression(outer.parent) ||
    ts.isAsExpression(outer.parent) ||
    ts.isSatisfiesExpression(outer.parent) ||
    ts.isNonNullExpression(outer.parent)
  ) {
    outer = outer.parent;
  }
  return { outer, user: outer.parent };
}
