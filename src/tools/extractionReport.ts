/**
 * What moving a module into its own service involves, from the code and from
 * the last end-to-end run (see writeExtractionReport.ts for the command).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { modules } from '../modules.ts';
import { BASELINE_FILE, readBaseline } from './boundaryBaseline.ts';
import { extractionConfiguration } from './extractionConfiguration.ts';
import { findFacadeCalls } from './facadeCallers.ts';

const MEASUREMENTS = 'test/artifacts/facade-calls';

type Measured = Record<string, { methods: string[]; mostPerRequest: number | null }>;

/**
 * Per endpoint, the facade methods called across this module's edge and the
 * most calls one request made, over the end-to-end run's measurements (null
 * when there are none). The most, not the mean: it does not depend on the mix
 * of requests the suite happened to send.
 */
function measuredHops(root: string, module: string, owner: Map<string, string>) {
  const dir = path.join(root, MEASUREMENTS);
  if (!fs.existsSync(dir) || fs.readdirSync(dir).length === 0) return null;
  const totals = new Map<string, { methods: Set<string>; most: number | null }>();
  for (const file of fs.readdirSync(dir)) {
    for (const [route, { methods, mostPerRequest }] of Object.entries(
      JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Measured,
    )) {
      const entry = totals.get(route) ?? { methods: new Set<string>(), most: null };
      for (const method of methods) entry.methods.add(method);
      if (mostPerRequest !== null) entry.most = Math.max(entry.most ?? 0, mostPerRequest);
      totals.set(route, entry);
    }
  }
  const hops = [];
  for (const [route, { methods, most }] of totals) {
    // A module never calls its own facade: every call crosses a module; keep those at this module's edge.
    const crossing = [...methods].filter((call) => call.startsWith(`${module}.`) || owner.get(route) === module || route === 'background');
    if (crossing.length === 0) continue;
    hops.push({
      endpoint: route === 'background' ? 'background work (workers, event handlers)' : route,
      facadeMethods: crossing.sort(),
      hopsPerRequest: route === 'background' ? null : most,
    });
  }
  return hops.sort((a, b) => a.endpoint.localeCompare(b.endpoint));
}

/** The module's tables and every module's routes, from a freshly migrated throwaway database. */
async function inspect(module: string) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seams-extraction-'));
  try {
    const app = await createApp(loadConfig({ SEAMS_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    const owner = new Map(
      app.modules.flatMap((m) => m.routes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, m.definition.name] as const)),
    );
    const rows: { name: string }[] = await app.databases
      .get(module)!
      .knex.raw(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`);
    await app.close();
    return {
      owner,
      tables: rows.map((r) => r.name).filter((n) => !n.startsWith('sqlite_') && !n.startsWith('knex_') && !n.startsWith('seams_')),
    };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function extractionReport(root: string, module: string) {
  const definition = modules.find((m) => m.name === module);
  if (!definition) throw new Error(`unknown module "${module}" (known: ${modules.map((m) => m.name).join(', ')})`);
  const { owner, tables } = await inspect(module);
  const methods = definition.provides?.methods ?? {};
  const events = Object.values(definition.provides?.events ?? {});
  const uses = (definition.uses ?? []).map((c) => c.module);
  const usedBy = modules.filter((m) => (m.uses ?? []).some((c) => c.module === module)).map((m) => m.name);
  const subscribers = modules.flatMap((m) =>
    (m.subscriptions ?? [])
      .filter((s) => events.some((e) => e.name === s.event.name))
      .map((s) => ({ event: s.event.name, handler: `${m.name}.${s.handler}` })),
  );
  const violations = readBaseline(path.join(root, BASELINE_FILE))
    .filter((v) => v.from.startsWith(`modules/${module}/`) || v.to.startsWith(`modules/${module}/`))
    .map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  const hops = measuredHops(root, module, owner);
  const blockers = [
    ...violations.map((v) => `boundary violation left in the baseline (${v})`),
    ...(hops === null ? ['no runtime measurements: run `npm test` first (the end-to-end suite records them)'] : []),
  ];
  return {
    module,
    verdict:
      blockers.length === 0
        ? `READY to extract: ${module} is reached only through its contract and events, owns its tables alone and shares no store. ` +
          `Move its data with \`${moveCommand(module)}\` (its schema to its own PostgreSQL database; a directory on SQLite), ` +
          'then run it with the configuration below and route its endpoints to it (README, "Extracting a module").'
        : `NOT READY: ${blockers.join('; ')}.`,
    contract: {
      methods: Object.entries(methods).map(([name, spec]) => ({
        name,
        description: spec.description,
        idempotent: spec.idempotent,
        input: spec.input,
        output: spec.output,
      })),
      eventsPublished: events.map((e) => ({ name: e.name, version: e.version, description: e.description, payload: e.payload })),
      eventsConsumed: (definition.subscriptions ?? []).map((s) => ({ event: s.event.name, handler: `${module}.${s.handler}` })),
    },
    callers: findFacadeCalls(root, module, Object.keys(methods)),
    uses,
    usedBy,
    subscribers,
    tables,
    dataMove: {
      command: moveCommand(module),
      copies: `its schema ${module} (PostgreSQL) or ${module}.sqlite (SQLite) with every table above, then compares each table's row count and checksum with the source`,
    },
    routes: [...owner].filter(([, m]) => m === module).map(([route]) => route),
    configuration: extractionConfiguration(definition, modules),
    violations,
    hops,
  };
}

const moveCommand = (module: string) => `npm run cli -- modules move ${module} --to <url>`;

export type ExtractionReport = Awaited<ReturnType<typeof extractionReport>>;
