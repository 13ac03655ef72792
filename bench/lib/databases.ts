/**
 * Databases for a benchmark: a fresh SQLite directory (under the OS temp
 * folder) or a fresh PostgreSQL database `seams_bench_*`, dropped afterwards.
 * `migrated()` boots seams itself once so every schema is what `npm run migrate` makes.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

export type Dialect = 'sqlite' | 'postgres';

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  dialect: Dialect;
  /** SEAMS_DATA_DIR or DATABASE_URL: what a seams process needs to find it. */
  env: Record<string, string>;
  dataDir: string;
  databaseUrl: string | null;
  /** A plain Knex on a module's own tables (SQLite file, or PostgreSQL schema as the superuser). */
  knex(module: string): Knex;
  drop(): Promise<void>;
}

const cleanups = new Set<() => Promise<void>>();

/** Drops every database still open (on errors and interrupts). */
export async function dropAll(): Promise<void> {
  for (const cleanup of [...cleanups]) await cleanup().catch(() => undefined);
}

export async function postgresAvailable(): Promise<string | null> {
  const admin = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 3_000 });
  try {
    const { rows } = await admin.raw('SHOW server_version');
    return String(rows[0].server_version);
  } catch {
    return null;
  } finally {
    await admin.destroy();
  }
}

export async function createDatabase(dialect: Dialect, label: string): Promise<BenchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `seams_bench_${label}_`));
  let databaseUrl: string | null = null;
  let name: string | null = null;
  if (dialect === 'postgres') {
    name = `seams_bench_${label}_${randomBytes(4).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
    await admin.raw(`CREATE DATABASE ${name}`);
    await admin.destroy();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }
  const opened: Knex[] = [];
  const cleanup = async () => {
    cleanups.delete(cleanup);
    await Promise.all(opened.map((k) => k.destroy()));
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (name) {
      const admin = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    }
  };
  cleanups.add(cleanup);
  return {
    dialect,
    env: databaseUrl ? { DATABASE_URL: databaseUrl } : { SEAMS_DATA_DIR: dataDir },
    dataDir,
    databaseUrl,
    knex(module) {
      const knex =
        dialect === 'sqlite'
          ? knexFactory({
              client: 'better-sqlite3',
              connection: { filename: path.join(dataDir, `${module}.sqlite`) },
              useNullAsDefault: true,
              pool: { min: 1, max: 1 },
            })
          : knexFactory({ client: 'pg', connection: databaseUrl!, searchPath: [module], pool: { min: 0, max: 4 } });
      opened.push(knex);
      return knex;
    },
    drop: cleanup,
  };
}

/** Boots seams on the database (migrating every module), for seeding through its own code; close it after. */
export async function migrated(db: BenchDatabase): Promise<App> {
  return createApp(loadConfig({ ...db.env, LOG_LEVEL: 'silent' }));
}
