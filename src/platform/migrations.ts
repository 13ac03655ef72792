/**
 * Migrations per module: each module's folder is tracked in its own database
 * (its own SQLite file or its own PostgreSQL schema).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import type { ModuleDatabase, ModuleDefinition } from '../kernel/index.ts';

/** `001_name.ts`, or `001_name.js` where it runs compiled (dist/, see src/build.mjs). */
const MIGRATION_FILE = /^\d{3}_[a-z0-9_]+\.[tj]s$/;

class FolderSource implements Knex.MigrationSource<string> {
  private readonly folder: string;

  constructor(folder: string) {
    this.folder = folder;
  }

  async getMigrations(): Promise<string[]> {
    if (!fs.existsSync(this.folder)) return [];
    return fs
      .readdirSync(this.folder)
      .filter((file) => MIGRATION_FILE.test(file))
      .sort();
  }

  // The source's file name, as the knex CLI records it, so `knex migrate:status` agrees (see knexfile.ts), and
  // a database migrated from the TypeScript counts the same migrations done when run compiled, and back.
  getMigrationName(file: string): string {
    return file.replace(/\.js$/, '.ts');
  }

  async getMigration(file: string): Promise<Knex.Migration> {
    return import(pathToFileURL(path.join(this.folder, file)).href);
  }
}

export interface MigrationTrack {
  /** The folder of migration files (`001_name.ts`, …). */
  folder: string;
  /** The table that records which of them ran. */
  table: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const PLATFORM_MIGRATIONS = path.join(here, 'migrations');
const EVENT_MIGRATIONS = path.join(here, 'events/migrations');

/**
 * What a database migrates: its own tables (the platform's or a module's) followed by an outbox and
 * inbox (the platform's outbox carries token changes to the other processes).
 */
export function migrationTracks(module: ModuleDefinition | 'platform'): MigrationTrack[] {
  return [
    { folder: module === 'platform' ? PLATFORM_MIGRATIONS : module.migrations, table: 'knex_migrations' },
    { folder: EVENT_MIGRATIONS, table: 'seams_events_migrations' },
  ];
}

function options(db: ModuleDatabase, track: MigrationTrack): Knex.MigratorConfig {
  return {
    migrationSource: new FolderSource(track.folder),
    tableName: track.table,
    ...(db.dialect === 'postgres' && { schemaName: db.module }),
  };
}

export async function migrate(db: ModuleDatabase, tracks: MigrationTrack[]): Promise<string[]> {
  const ran: string[] = [];
  for (const track of tracks) {
    const [, names] = (await db.knex.migrate.latest(options(db, track))) as [number, string[]];
    ran.push(...names);
  }
  return ran;
}

export async function pendingMigrations(db: ModuleDatabase, tracks: MigrationTrack[]): Promise<string[]> {
  const pending: string[] = [];
  for (const track of tracks) {
    const config = options(db, track);
    const [, waiting] = (await db.knex.migrate.list(config)) as [unknown[], string[]];
    pending.push(...waiting.map((file) => config.migrationSource!.getMigrationName(file)));
  }
  return pending;
}
