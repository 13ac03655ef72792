/**
 * A file loaded through `createRequire` is checked like any import: the edge is
 * resolved the way dependency-cruiser resolves one (a project file, a package
 * with its dependency type, a Node built-in) and matched against the same
 * forbidden rules, with the same `$1` back-references from the `from` path.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DependencyType, IForbiddenRuleType, IRegularForbiddenRuleType, IViolation } from 'dependency-cruiser';

interface Target {
  resolved: string;
  couldNotResolve: boolean;
  dependencyTypes: DependencyType[];
}

type PackageTypes = Map<string, DependencyType>;

export function packageTypes(base: string): PackageTypes {
  const file = join(base, 'package.json');
  const manifest = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>) : {};
  const types = new Map<string, DependencyType>();
  const sections: Array<[string, DependencyType]> = [
    ['peerDependencies', 'npm-peer'],
    ['optionalDependencies', 'npm-optional'],
    ['devDependencies', 'npm-dev'],
    ['dependencies', 'npm'],
  ];
  for (const [section, type] of sections) for (const name of Object.keys(manifest[section] ?? {})) types.set(name, type);
  return types;
}

function resolveTarget(base: string, from: string, specifier: string, packages: PackageTypes): Target {
  if (/^(\.{1,2}\/|\/|file:)/.test(specifier)) {
    const path = specifier.startsWith('file:') ? fileURLToPath(specifier) : resolve(base, dirname(from), specifier);
    // require() tries these when the file itself is missing.
    const found = [path, `${path}.ts`, `${path}.js`, join(path, 'index.ts'), join(path, 'index.js')].find(
      (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
    );
    if (!found) return { resolved: specifier, couldNotResolve: true, dependencyTypes: ['local'] };
    return { resolved: relative(base, found).split(sep).join('/'), couldNotResolve: false, dependencyTypes: ['local'] };
  }
  const name = specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
  if (specifier.startsWith('node:') || builtinModules.includes(name)) {
    return { resolved: specifier, couldNotResolve: false, dependencyTypes: ['core'] };
  }
  return { resolved: `node_modules/${specifier}`, couldNotResolve: false, dependencyTypes: [packages.get(name) ?? 'npm-no-pkg'] };
}

const pattern = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join('|') : value);
const BOOLEANS = ['couldNotResolve', 'circular', 'dynamic', 'exoticallyRequired'] as const;
const UNDERSTOOD = new Set<string>(['path', 'pathNot', 'dependencyTypes', 'dependencyTypesNot', ...BOOLEANS]);

/** dependency-cruiser's matching of one dependency against one rule, for the conditions our rules use. */
function breaks(rule: IRegularForbiddenRuleType, from: string, target: Target): boolean {
  if (rule.scope === 'folder') return false;
  // A condition this matcher does not know (reachability, licences, …) cannot be judged here.
  if (![...Object.keys(rule.from), ...Object.keys(rule.to)].every((key) => UNDERSTOOD.has(key))) return false;
  const fromPath = pattern(rule.from.path);
  const groups = fromPath ? new RegExp(fromPath).exec(from) : [];
  if (!groups) return false;
  const fromPathNot = pattern(rule.from.pathNot);
  if (fromPathNot && new RegExp(fromPathNot).test(from)) return false;
  const withGroups = (re: string) => groups.reduce<string>((all, group, i) => all.replaceAll(`$${i}`, group ?? ''), re);
  const toPath = pattern(rule.to.path);
  const toPathNot = pattern(rule.to.pathNot);
  if (toPath && !new RegExp(withGroups(toPath)).test(target.resolved)) return false;
  if (toPathNot && new RegExp(withGroups(toPathNot)).test(target.resolved)) return false;
  const { dependencyTypes, dependencyTypesNot } = rule.to;
  if (dependencyTypes && !dependencyTypes.some((type) => target.dependencyTypes.includes(type))) return false;
  if (dependencyTypesNot && dependencyTypesNot.some((type) => target.dependencyTypes.includes(type))) return false;
  const facts = { couldNotResolve: target.couldNotResolve, circular: false, dynamic: false, exoticallyRequired: true };
  return BOOLEANS.every((key) => rule.to[key] === undefined || rule.to[key] === facts[key]);
}

/** The violations of one `createRequire` load (or resolve) of `specifier` from the project file `from`. */
export function checkRequiredEdge(
  base: string,
  from: string,
  specifier: string,
  rules: IForbiddenRuleType[],
  packages: PackageTypes,
): IViolation[] {
  const target = resolveTarget(base, from, specifier, packages);
  // Reachability (to.reachable) and dependents (module) rules concern whole paths or modules, not one edge.
  const regular = rules.filter((rule): rule is IRegularForbiddenRuleType => 'to' in rule && !('reachable' in rule.to));
  return regular
    .filter((rule) => breaks(rule, from, target))
    .map((rule) => ({
      type: 'dependency',
      from,
      to: target.resolved,
      rule: { name: rule.name ?? '', severity: rule.severity ?? 'error' },
    }));
}
