/**
 * Each module gets its own Knex: on SQLite its own file under the data
 * directory (another module's tables do not exist from its connection); on
 * PostgreSQL its own schema, searched first, in its own database
 * (DATABASE_URL_<NAME>, or DATABASE_URL), and — when the connecting user may
 * create roles — its own role that owns that schema and has no rights on any
 * other, so a cross-schema query is refused by the database itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type Database from 'better-sqlite3';
import type { Dialect, Logger, ModuleDatabase } from '../../kernel/index.ts';
import type { Config } from '../../config.ts';
import { bulkUpserter } from './bulkLoads.ts';
import { bulkInsert, bulkUpsert } from './bulkWrites.ts';
import { guardedWrite } from './guardedWrite.ts';
import { claimWithLease, returning } from './leaseClaims.ts';
import { databaseUrlOf, lockDatabases } from './postgresRoles.ts';
import { selectPrepared } from './preparedSelect.ts';
import { keepKnexStatements } from './sqliteStatements.ts';
import { writeTransaction } from './writeTransaction.ts';

export interface OpenDatabase extends ModuleDatabase {
  /** The PostgreSQL role the module's connections run as, when roles are in use. */
  readonly role: string | null;
  close(): Promise<void>;
}

/**
 * Opens the databases of the platform store and of modules. `prepare` (the
 * migrations) runs before they are handed out; on PostgreSQL it runs under the
 * advisory lock of each database involved, together with creating schemas and
 * roles, so instances starting at the same time migrate one after the other.
 */
export async function openDatabases(
  config: Config,
  names: string[],
  log: Logger,
  prepare: (databases: Map<string, OpenDatabase>) => Promise<void> = async () => {},
): Promise<Map<string, OpenDatabase>> {
  const databases = new Map<string, OpenDatabase>();
  if (config.databaseUrl === null) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    for (const name of names) databases.set(name, openSqlite(path.join(config.dataDir, `${name}.sqlite`), name));
    await prepare(databases).catch(async (error) => {
      await Promise.all([...databases.values()].map((db) => db.close()));
      throw error;
    });
    return databases;
  }
  const locked = await lockDatabases(new Map(names.map((name) => [name, databaseUrlOf(config, name)])));
  try {
    const apart: string[] = [];
    for (const name of names) {
      const separation = await locked.provision(name);
      if (separation.kind === 'search-path') apart.push(name);
      databases.set(name, openPostgres(config, name, separation.kind === 'role' ? separation.role : null));
    }
    if (apart.length > 0) {
      log.warn({ schemas: apart }, 'database user may not create roles: module schemas are separated by search_path only');
    }
    await prepare(databases);
    return databases;
  } catch (error) {
    await Promise.all([...databases.values()].map((db) => db.close()));
    throw error;
  } finally {
    await locked.release();
  }
}

function openSqlite(filename: string, module: string): OpenDatabase {
  return openDatabase(knexFactory(sqliteConfig(filename)), 'sqlite', module, null);
}

function openPostgres(config: Config, module: string, role: string | null): OpenDatabase {
  return openDatabase(knexFactory(postgresConfig(config, module, role)), 'postgres', module, role);
}

function openDatabase(knex: Knex, dialect: Dialect, module: string, role: string | null): OpenDatabase {
  return {
    module,
    dialect,
    knex,
    role,
    select: (sql, bindings) => selectPrepared(knex, sql, bindings),
    writeTransaction: (work) => writeTransaction(knex, dialect, work),
    bulkInsert: (trx, table, columns, rows) => bulkInsert(dialect, trx, table, columns, rows),
    bulkUpsert: (trx, table, columns, rows, on) => bulkUpsert(dialect, trx, table, columns, rows, on),
    bulkUpserter: (trx, table, columns, on) => bulkUpserter(dialect, trx, table, columns, on),
    guardedWrite: (trx, guard, writes) => guardedWrite(knex, dialect, trx, guard, writes),
    returning: (result) => returning(dialect, result),
    claimWithLease: (claim) => claimWithLease(knex, dialect, claim),
    close: () => knex.destroy(),
  };
}

/** The Knex settings of one module's database (also what knexfile.ts hands the knex CLI). */
export function knexConfig(config: Config, module: string): Knex.Config {
  return config.databaseUrl === null ? sqliteConfig(path.join(config.dataDir, `${module}.sqlite`)) : postgresConfig(config, module, null);
}

function sqliteConfig(filename: string): Knex.Config {
  return {
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      afterCreate(connection: Database.Database, done: (err: Error | null, c: unknown) => void) {
        keepKnexStatements(connection);
        // WAL lets readers run beside the writer; busy_timeout waits for another process's write lock.
        connection.pragma('journal_mode = WAL');
        connection.pragma('synchronous = NORMAL');
        connection.pragma('busy_timeout = 10000');
        connection.pragma('foreign_keys = ON');
        done(null, connection);
      },
    },
  };
}

interface PgConnection {
  query(sql: string, cb: (err: Error | null) => void): void;
}

function postgresConfig(config: Config, module: string, role: string | null): Knex.Config {
  return {
    client: 'pg',
    connection: databaseUrlOf(config, module),
    searchPath: [module],
    pool: {
      min: 0,
      max: config.poolMax,
      afterCreate(connection: PgConnection, done: (err: Error | null, c: unknown) => void) {
        if (role === null) return done(null, connection);
        connection.query(`SET ROLE "${role}"`, (err) => done(err, connection));
      },
    },
  };
}
