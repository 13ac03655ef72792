/**
 * The walls between modules (the architecture spec, "The walls"; README "Layout and the walls"),
 * checked by dependency-cruiser 17 through `npm run lint:boundaries`.
 *
 * Paths are relative to the project root: `modules/<name>/contract.ts` is a
 * module's door for other modules, `modules/<name>/index.ts` its door for the
 * host (only `src/modules.ts` opens it), `src/kernel/` the shared kernel, the
 * rest of `src/` the host. Every import form counts: relative paths, tsconfig
 * `paths` aliases, `import type`, `export … from`, `import()` and `require()`.
 *
 * dependency-cruiser cannot see a computed `import()`, a require obtained from
 * `createRequire`, or which facades a module calls: the lint checks those in the
 * syntax tree itself (src/tools/importForms.ts, src/tools/facadeCycles.ts) under
 * `syntaxRules` below, and reports them with the rest. `exceptions` names the few
 * files allowed to break a rule, each with the reason it was accepted.
 */

const CONTRACT = '^modules/[^/]+/contract\\.ts$';
const MODULE_INDEX = '^modules/[^/]+/index\\.ts$';
const PRODUCTION = '^(src|modules)/';
// Dependencies that vanish when TypeScript is compiled: they cannot load a driver or a test tool.
const TYPE_ONLY = ['type-only', 'type-import'];
// Database and HTTP drivers; the kernel may name their types, never load them.
const DRIVERS = '^node_modules/(@types/)?(knex|objection|pg|pg-[^/]+|better-sqlite3|koa|koa-[^/]+|@koa/[^/]+|koa__[^/]+)/';

/** Rules checked by the lint's own syntax-tree pass; same shape and severity as those below. */
export const syntaxRules = [
  {
    name: 'no-computed-import',
    severity: 'error',
    comment:
      'The walls cannot follow an import() or require() whose specifier is computed at run time, nor a require ' +
      'from createRequire() handed to other code. Write the specifier as a string literal (one literal import() ' +
      "per file when choosing among a few), or use a module's contract. Where the platform truly loads files " +
      'chosen at run time, name the file in `exceptions` in boundaries.config.js, with the reason, for review.',
  },
  {
    name: 'no-facade-cycle',
    severity: 'error',
    comment:
      'Synchronous calls between modules run one way (a DAG): these modules call each other through the ' +
      'facades in their `uses` (modules/<name>/index.ts), so none can be changed, tested or extracted alone. ' +
      "Break the cycle at one edge: let that module subscribe to the other's events (keeping a read model of " +
      'what it needs) instead of calling back, and drop the contract from its `uses`.',
  },
  {
    name: 'module-uses-lists-contracts',
    severity: 'error',
    comment:
      "A module's `uses` (modules/<name>/index.ts) must be an array of contracts imported by name from " +
      'modules/<other>/contract.ts, so the lint can see which facades it calls and that they form no cycle. ' +
      'Write `uses: [otherContract]` with `import { otherContract } from "../other/contract.ts"`.',
  },
];

/**
 * Files allowed to break a rule, reviewed one by one. An exception covers every
 * violation of `rule` in file `from`; one that no longer excuses anything fails
 * the lint (like a stale baseline entry) until it is removed.
 */
export const exceptions = [
  {
    rule: 'no-computed-import',
    from: 'src/platform/migrations.ts',
    because: "Knex's migration source loads the files it lists in a module's own migrations/ folder, chosen at run time.",
  },
  {
    rule: 'no-computed-import',
    from: 'src/tools/boundaryConfig.ts',
    because: 'The lint loads the boundaries.config.js of the tree it checks (--root), chosen at run time.',
  },
];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'module-reaches-past-contract',
      severity: 'error',
      comment:
        "A module uses another module only through that module's contract.ts (its facade and events, " +
        'wired through Awilix). Import from modules/<other>/contract.ts, or ask that module to add what you need to its contract.',
      // contract.ts has its own, stricter rule below.
      from: { path: '^modules/([^/]+)/', pathNot: CONTRACT },
      to: { path: '^modules/', pathNot: ['^modules/$1/', CONTRACT] },
    },
    {
      name: 'contract-imports-only-kernel-and-contracts',
      severity: 'error',
      comment:
        "contract.ts is the module's public face and must stay extractable: it may import only src/kernel/ " +
        "(which re-exports TypeBox's Type) and other modules' contract.ts. Move the shared type or schema into " +
        'contract.ts itself, or into the kernel if every module needs it.',
      from: { path: CONTRACT },
      to: { pathNot: ['^src/kernel/', CONTRACT] },
    },
    {
      name: 'module-imports-only-kernel-from-src',
      severity: 'error',
      comment:
        'A module takes from src/ only the shared kernel (src/kernel/). Platform services (database, outbox, ' +
        'clock, logger) reach the module through its Awilix cradle, typed by kernel interfaces (PlatformCradle).',
      from: { path: '^modules/', pathNot: CONTRACT },
      to: { path: '^src/', pathNot: '^src/kernel/' },
    },
    {
      name: 'kernel-imports-only-kernel',
      severity: 'error',
      comment:
        'The shared kernel is pure and knows nobody: src/kernel/ imports neither the host (src/) nor modules/. ' +
        'Move the code that needs them to src/platform/, or describe what you need as an interface in the kernel.',
      from: { path: '^src/kernel/' },
      to: { path: '^(src|modules|test)/', pathNot: '^src/kernel/' },
    },
    {
      name: 'kernel-loads-no-driver',
      severity: 'error',
      comment:
        'The shared kernel is pure: it may name database or HTTP types (`import type { Knex } from "knex"`) ' +
        'but never load a driver (knex, objection, pg, better-sqlite3, koa, @koa/router). Use `import type`, ' +
        'or move the code to src/platform/.',
      from: { path: '^src/kernel/' },
      to: { path: DRIVERS, dependencyTypesNot: TYPE_ONLY },
    },
    {
      name: 'only-module-list-imports-module-index',
      severity: 'error',
      comment:
        "A module's index.ts is its door for the host, opened only by the module list src/modules.ts. " +
        'Other modules use modules/<name>/contract.ts; the host reaches a module through the list.',
      from: { path: PRODUCTION, pathNot: '^src/modules\\.ts$' },
      to: { path: MODULE_INDEX },
    },
    {
      name: 'host-reaches-modules-only-through-doors',
      severity: 'error',
      comment:
        'The host (src/) reaches a module only through its two doors: the module list src/modules.ts opens ' +
        'modules/<name>/index.ts, and any host file may use modules/<name>/contract.ts (facade, events, schemas). ' +
        "Everything else in a module is private. Take what you need from the module's definition in src/modules.ts " +
        '(its facade, routes, commands) or from its contract, or ask the module to offer it there.',
      // The kernel has its own, stricter rule; only-module-list-imports-module-index covers index.ts.
      from: { path: '^src/', pathNot: '^src/kernel/' },
      to: { path: '^modules/', pathNot: [MODULE_INDEX, CONTRACT] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'This import closes a cycle (see the path printed). Break it: move the shared piece into a file both ' +
        'can import, or invert the dependency with an interface or an event.',
      from: { path: PRODUCTION },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'This import cannot be resolved, so the walls cannot check it. Fix the path (imports use explicit .ts ' +
        'extensions), add the package to package.json, or write the import as a plain string literal.',
      from: { path: PRODUCTION },
      to: { couldNotResolve: true },
    },
    {
      name: 'production-imports-no-test-code',
      severity: 'error',
      comment:
        'Production code (src/, modules/) must not import test/. Move what you need into the module or the ' +
        'kernel, and let the test import it instead.',
      from: { path: PRODUCTION },
      to: { path: '^test/' },
    },
    {
      name: 'production-imports-no-dev-dependency',
      severity: 'error',
      comment:
        'Production code (src/, modules/) must not load a devDependency: it is not installed in production. ' +
        'Move the package to "dependencies" in package.json, or keep the code under test/. (Type-only imports ' +
        'of @types/* packages are fine.)',
      // src/tools/ holds developer tools (this lint runs dependency-cruiser); they never run in production.
      from: { path: PRODUCTION, pathNot: '^src/tools/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: TYPE_ONLY, pathNot: '^node_modules/@types/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // node_modules may be a link (the boundary tests lint temp copies that link the real one); keep
    // `node_modules/...` paths so npm dependencies are recognised as such.
    preserveSymlinks: true,
    // Resolve through package.json "exports" as Node and tsx do (dependency-cruiser's default ignores
    // it, which leaves subpath imports such as 'dependency-cruiser/config-utl/…' unresolvable).
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
