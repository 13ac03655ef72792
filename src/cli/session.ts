/**
 * What one CLI command opens, each part on first use and all closed at the end: the configuration,
 * the module list, databases and module containers. A database with pending migrations is migrated
 * first, saying so. Nothing here serves HTTP or starts the event dispatcher or workers: events a
 * command writes wait in its module's outbox for the server's dispatcher.
 */
import fs from 'node:fs';
import { loadConfig, type Config } from '../config.ts';
import type { CommandIO, Logger, ModuleDefinition } from '../kernel/index.ts';
import type { Composition } from '../platform/container.ts';
import { openDatabases, type OpenDatabase } from '../platform/database/open.ts';
import { withoutPassword } from '../platform/database/postgresRoles.ts';
import { createLogger, flushLogs, systemClock } from '../platform/logger.ts';
import { migrate, migrationTracks, pendingMigrations } from '../platform/migrations.ts';
import type { Topology } from '../platform/topology.ts';
import { CommandFailure } from './failures.ts';

export interface SessionOptions {
  io: CommandIO;
  loadModules: () => Promise<ModuleDefinition[]>;
}

export function openSession({ io, loadModules }: SessionOptions) {
  let config: Config | undefined;
  let log: Logger | undefined;
  let modules: Promise<ModuleDefinition[]> | undefined;
  let topology: Promise<Topology> | undefined;
  const databases = new Map<string, OpenDatabase>();
  const compositions = new Map<string, Composition>();

  async function migratePending(opened: Map<string, OpenDatabase>): Promise<void> {
    // The platform's migrations are the host's own: `tokens create` needs no module code.
    const definitions = [...opened.keys()].some((name) => name !== 'platform') ? await session.modules() : [];
    for (const [name, db] of opened) {
      const tracks = migrationTracks(name === 'platform' ? 'platform' : definitions.find((m) => m.name === name)!);
      const pending = await pendingMigrations(db, tracks);
      if (pending.length === 0) continue;
      io.err.write(`${name}: running ${pending.length} pending migration${pending.length === 1 ? '' : 's'} (${pending.join(', ')})\n`);
      await migrate(db, tracks);
    }
  }

  const session = {
    config: (): Config => (config ??= loadConfig()),
    log(): Logger {
      // On stderr, and from warnings up: info lines would bury a command's own output; LOG_LEVEL=debug shows all.
      return (log ??= createLogger({ logLevel: session.config().logLevel === 'info' ? 'warn' : session.config().logLevel }, 2));
    },
    modules: (): Promise<ModuleDefinition[]> => (modules ??= loadModules()),
    // Composing modules (containers, remote clients) is imported only by the commands that do it.
    async topology(): Promise<Topology> {
      return (topology ??= Promise.all([session.modules(), import('../platform/topology.ts')]).then(([all, { planTopology }]) =>
        planTopology(all, session.config()),
      ));
    },
    /** The modules this process runs (SEAMS_MODULES). */
    localModules: async (): Promise<ModuleDefinition[]> => (await session.topology()).local,

    /**
     * Opens the named databases (`platform` or a module's). A data directory that does not exist is
     * created only when `create` is set (`migrate`): anywhere else it means the settings are not the server's.
     */
    async databases(names: string[], { create = false } = {}): Promise<Map<string, OpenDatabase>> {
      const closed = names.filter((name) => !databases.has(name));
      if (closed.length > 0) {
        const config = session.config();
        if (databases.size === 0) io.err.write(`${databaseInUse(config)}\n`);
        for (const line of ownDatabases(config, closed)) io.err.write(`${line}\n`);
        if (config.databaseUrl === null && !fs.existsSync(config.dataDir)) {
          if (!create) {
            throw new CommandFailure(
              `no data directory ${config.dataDir}: run the CLI with the server's SEAMS_DATA_DIR (or DATABASE_URL), ` +
                'or create a new one with `npm run cli -- migrate`',
            );
          }
          io.err.write(`creating the data directory ${config.dataDir}\n`);
        }
        const opened = await openDatabases(config, closed, session.log(), migratePending);
        for (const [name, db] of opened) databases.set(name, db);
      }
      return new Map(names.map((name) => [name, databases.get(name)!]));
    },

    /**
     * Composes a local module's container with the local modules it calls (their databases opened,
     * remote ones reached over HTTP), as the server would, and answers the composition.
     */
    async compose(module: string): Promise<Composition> {
      const existing = compositions.get(module);
      if (existing) return existing;
      const plan = await session.topology();
      const wanted = plan.local.find((m) => m.name === module);
      if (!wanted)
        throw new CommandFailure(`module ${module} does not run in this process (SEAMS_MODULES=${session.config().modules?.join(',')})`);
      const needed = calledModules(wanted, plan.local);
      const opened = await session.databases(needed.map((m) => m.name));
      const [{ composeModules }, { platformCradles }, { readModuleSettings }] = await Promise.all([
        import('../platform/container.ts'),
        import('../platform/platformCradle.ts'),
        import('../platform/moduleSettings.ts'),
      ]);
      const settings = readModuleSettings(needed, session.config().seamsEnv);
      if (settings.problems.length > 0) throw new CommandFailure(`invalid configuration: ${settings.problems.join('; ')}`);
      const cradles = platformCradles({
        database: (name) => opened.get(name)!,
        subscribers: plan.subscribers,
        clock: systemClock,
        log: session.log(),
        settings: settings.settings,
        // Events a command writes wait in the outbox for the server's dispatcher.
        onCommit: () => {},
      });
      const composition = composeModules(needed, cradles, plan.remoteFacades);
      compositions.set(module, composition);
      return composition;
    },

    /** The container of a module composed by `compose`, or null before. */
    composed: (module: string) => compositions.get(module)?.modules.find((m) => m.definition.name === module)?.container ?? null,

    /** A module's facade, local or remote, or null when no module of that name runs anywhere. */
    async facade<F>(module: string): Promise<F | null> {
      const plan = await session.topology();
      const remote = plan.remoteFacades.get(module);
      if (remote) return remote as F;
      if (!plan.local.some((m) => m.name === module)) return null;
      return (await session.compose(module)).root.resolve<F>(`${module}Facade`);
    },

    async close(): Promise<void> {
      await Promise.all([...databases.values()].map((db) => db.close()));
      if (topology) await (await topology.catch(() => null))?.close();
      if (log) flushLogs(log);
    },
  };
  return session;
}

export type CliSession = ReturnType<typeof openSession>;

/** The module and, transitively, the local modules whose facades it calls. */
function calledModules(module: ModuleDefinition, local: ModuleDefinition[]): ModuleDefinition[] {
  const needed = new Set<ModuleDefinition>([module]);
  for (const m of needed) {
    for (const contract of m.uses ?? []) {
      const provider = local.find((l) => l.provides?.module === contract.module);
      if (provider) needed.add(provider);
    }
  }
  return local.filter((m) => needed.has(m));
}

/** Which database a command uses, for stderr (passwords hidden): stdout stays the command's result. */
function databaseInUse(config: Config): string {
  if (config.databaseUrl === null) return `database: SQLite files in ${config.dataDir} (SEAMS_DATA_DIR)`;
  return `database: PostgreSQL ${withoutPassword(config.databaseUrl)} (DATABASE_URL)`;
}

/** The databases of the named modules that have their own (DATABASE_URL_<NAME>), one line each. */
function ownDatabases(config: Config, names: string[]): string[] {
  return names
    .filter((name) => config.moduleDatabaseUrls[name])
    .map((name) => `${name}: PostgreSQL ${withoutPassword(config.moduleDatabaseUrls[name]!)} (DATABASE_URL_${name.toUpperCase()})`);
}
