/**
 * Each test gets its own databases: a fresh SQLite directory, or a fresh
 * PostgreSQL database created from TEST_DATABASE_URL and dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import knexFactory from 'knex';
import { loadConfig, type Config } from '../../src/config.ts';

export type Dialect = 'sqlite' | 'postgres';

const adminUrl = process.env.TEST_DATABASE_URL ?? null;

/** The dialects this run covers: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const dialects: Dialect[] = adminUrl ? ['sqlite', 'postgres'] : ['sqlite'];

export function tempDir(t: ExecutionContext, prefix = 'seams-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * PostgreSQL allows 100 connections; a test's apps open up to about 20 (a pool per module database,
 * an instance or a process more in some topologies). So each test process runs at most this many
 * PostgreSQL tests at once (AVA runs two test files at a time), whatever a file holds.
 */
const POSTGRES_TESTS_AT_ONCE = 2;
let postgresTestsRunning = 0;
const waitingForPostgres: (() => void)[] = [];
const holdingPostgres = new WeakSet<ExecutionContext>();

async function postgresSlot(t: ExecutionContext): Promise<void> {
  if (holdingPostgres.has(t)) return;
  holdingPostgres.add(t);
  while (postgresTestsRunning >= POSTGRES_TESTS_AT_ONCE) await new Promise<void>((resolve) => waitingForPostgres.push(resolve));
  postgresTestsRunning++;
  t.teardown(() => {
    postgresTestsRunning--;
    waitingForPostgres.shift()?.();
  });
}

/** A database URL for a brand-new PostgreSQL database, dropped when the test ends. */
export async function freshPostgres(t: ExecutionContext): Promise<string> {
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  await postgresSlot(t);
  const name = `seams_t_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  await admin.destroy();
  t.teardown(async () => {
    const cleanup = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
    await cleanup.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.destroy();
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A validated configuration for one test on one dialect, with its own databases. */
export async function testConfig(t: ExecutionContext, dialect: Dialect, env: NodeJS.ProcessEnv = {}): Promise<Config> {
  const dataDir = tempDir(t);
  const databaseUrl = dialect === 'postgres' ? await freshPostgres(t) : undefined;
  return loadConfig({
    SEAMS_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SEAMS_DB_POOL_MAX: '3',
    ...(databaseUrl && { DATABASE_URL: databaseUrl }),
    ...env,
  });
}
