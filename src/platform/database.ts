/**
 * Each module gets its own Knex: on SQLite its own file under the data
 * directory (another module's tables do not exist from its connection); on
 * PostgreSQL its own schema, searched first, and — when the connecting user may
 * create roles — its own role that owns that schema and has no rights on any
 * other, so a cross-schema query is refused by the database itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Dialect, Logger, ModuleDatabase } from '../kernel/index.ts';
import type { Config } from '../config.ts';
import { writeTransaction } from './writeTransaction.ts';

export interface OpenDatabase extends ModuleDatabase {
  /** The PostgreSQL role the module's connections run as, when roles are in use. */
  readonly role: string | null;
  close(): Promise<void>;
}

export const roleName = (module: string) => `seams_${module}`;

/**
 * Opens every module's database. `prepare` (the migrations) runs before the
 * databases are handed out; on PostgreSQL it runs under an advisory lock,
 * together with creating schemas and roles, so instances starting at the same
 * time migrate one after the other.
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
  const admin = knexFactory({ client: 'pg', connection: config.databaseUrl, pool: { min: 1, max: 1 } });
  try {
    await admin.raw(`SELECT pg_advisory_lock(hashtext('seams.migrate'))`);
    const useRoles = await provisionSchemas(admin, names);
    if (!useRoles) log.warn({}, 'database user may not create roles: module schemas are separated by search_path only');
    // A module with its own login (DATABASE_URL_<NAME>) is its role already; others SET ROLE.
    for (const name of names) {
      const role = config.moduleDatabaseUrls[name] ? null : useRoles ? roleName(name) : null;
      databases.set(name, openPostgres(config, name, role));
    }
    await prepare(databases);
    return databases;
  } catch (error) {
    await Promise.all([...databases.values()].map((db) => db.close()));
    throw error;
  } finally {
    await admin.raw(`SELECT pg_advisory_unlock(hashtext('seams.migrate'))`).catch(() => undefined);
    await admin.destroy();
  }
}

function openSqlite(filename: string, module: string): OpenDatabase {
  const knex = knexFactory(sqliteConfig(filename));
  return {
    module,
    dialect: 'sqlite',
    knex,
    role: null,
    select: (sql, bindings) => selectPrepared(knex, sql, bindings),
    writeTransaction: (work) => writeTransaction(knex, 'sqlite', work),
    close: () => knex.destroy(),
  };
}

function openPostgres(config: Config, module: string, role: string | null): OpenDatabase {
  const knex = knexFactory(postgresConfig(config, module, role));
  return {
    module,
    dialect: 'postgres' as Dialect,
    knex,
    role,
    select: (sql, bindings) => selectPrepared(knex, sql, bindings),
    writeTransaction: (work) => writeTransaction(knex, 'postgres', work),
    close: () => knex.destroy(),
  };
}

/** The Knex settings of one module's database (also what knexfile.ts hands the knex CLI). */
export function knexConfig(config: Config, module: string): Knex.Config {
  return config.databaseUrl === null
    ? sqliteConfig(path.join(config.dataDir, `${module}.sqlite`))
    : postgresConfig(config, module, null);
}

/** Prepared statements kept per SQLite connection (least recently used dropped first). */
const STATEMENTS_PER_CONNECTION = 200;

interface SqliteStatement {
  reader: boolean;
  all(bindings: unknown[]): unknown[];
  raw(on: boolean): SqliteStatement;
  columns(): { name: string }[];
  run(bindings: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

interface KnexQuery {
  sql: string;
  bindings?: unknown[];
  options?: { safeIntegers?: boolean; [FIXED_COLUMNS]?: boolean };
  response?: unknown;
  context?: { lastID: number | bigint; changes: number };
}

const BetterSqlite3Client = createRequire(import.meta.url)('knex/lib/dialects/better-sqlite3/index.js') as new (config: Knex.Config) => {
  _query(connection: SqliteConnection, query: KnexQuery): Promise<KnexQuery>;
  _formatBindings(bindings: unknown[] | undefined): unknown[];
};

/**
 * Knex's better-sqlite3 client prepares every statement anew, which costs as much as
 * running a small query; this one keeps each connection's prepared statements by SQL
 * text (SQLite re-prepares a kept statement by itself when the schema changes).
 */
const keptStatements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

/**
 * A query option: the SQL names its result columns (no `*`), so they cannot change while its
 * statement is kept. Its rows are then read as arrays and made objects here, with the names read
 * once: better-sqlite3 sets each column of each row object through the V8 API, which costs about
 * a third of a small read (an invoice page: 75 → 48 µs).
 */
const FIXED_COLUMNS = 'seamsFixedColumns';
const columnNames = new WeakMap<SqliteStatement, string[] | null>();

function fixedColumnRows(statement: SqliteStatement, bindings: unknown[]): unknown[] {
  let names = columnNames.get(statement);
  if (names === undefined) {
    names = statement.columns().map((column) => column.name);
    // An own property named __proto__ cannot be made by assignment: such a statement stays as it is.
    if (names.includes('__proto__')) names = null;
    else statement.raw(true);
    columnNames.set(statement, names);
  }
  if (names === null) return statement.all(bindings);
  const rows = statement.all(bindings) as unknown[][];
  const objects: Record<string, unknown>[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const values = rows[r]!;
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = values[c];
    objects[r] = row;
  }
  return objects;
}

// Kept by connection, not on the client: Knex runs a transaction's queries on a copy of the client.
class StatementCachingClient extends BetterSqlite3Client {
  override async _query(connection: SqliteConnection, query: KnexQuery): Promise<KnexQuery> {
    if (!query.sql || !connection || query.options?.safeIntegers !== undefined) return super._query(connection, query);
    let kept = keptStatements.get(connection);
    if (!kept) keptStatements.set(connection, (kept = new Map()));
    let statement = kept.get(query.sql);
    if (statement) {
      kept.delete(query.sql); // re-inserted below: the Map's order is the recency order
    } else {
      statement = connection.prepare(query.sql);
      if (kept.size >= STATEMENTS_PER_CONNECTION) kept.delete(kept.keys().next().value!);
    }
    kept.set(query.sql, statement);
    const bindings = this._formatBindings(query.bindings);
    if (statement.reader) {
      // Once read as arrays a kept statement stays so, whichever query of the same SQL text comes next.
      const fixed = query.options?.[FIXED_COLUMNS] === true || columnNames.has(statement);
      query.response = fixed ? fixedColumnRows(statement, bindings) : statement.all(bindings);
      return query;
    }
    const result = statement.run(bindings);
    query.response = result;
    query.context = { lastID: result.lastInsertRowid, changes: result.changes };
    return query;
  }
}

/**
 * A read of fixed SQL text (one of a few shapes, `?` only as bindings), kept prepared on both databases
 * and run without Knex's query compiler and runner: for the paths every request takes. SQLite: the
 * statement cache above, rows read as arrays. PostgreSQL: a named statement on each connection, run
 * on a connection of the Knex pool (Knex's runner costs as much CPU as pg itself for a small read).
 * The SQL must name its columns, not `*`, so a kept statement keeps its shape when a column is added.
 */
export async function selectPrepared<T>(knex: Knex, sql: string, bindings: Knex.Value[]): Promise<T[]> {
  if (knex.client.dialect !== 'postgresql') {
    const rows: unknown = await knex.raw(sql, bindings).options({ [FIXED_COLUMNS]: true });
    return rows as T[];
  }
  if (knex.isTransaction) {
    const result: { rows: T[] } = await knex.raw(sql, bindings);
    return result.rows;
  }
  const statement = postgresStatement(sql);
  const connection: PgConnection = await knex.client.acquireConnection();
  try {
    return (await connection.query<T>({ name: statement.name, text: statement.text, values: bindings })).rows;
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

interface PgConnection {
  query<T>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
}

const postgresStatements = new Map<string, { name: string; text: string }>();

/** PostgreSQL names a prepared statement per connection (the same text, the same name) and numbers its parameters. */
function postgresStatement(sql: string): { name: string; text: string } {
  let statement = postgresStatements.get(sql);
  if (statement === undefined) {
    let n = 0;
    statement = { name: `seams_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`, text: sql.replace(/\?/g, () => `$${++n}`) };
    postgresStatements.set(sql, statement);
  }
  return statement;
}

function sqliteConfig(filename: string): Knex.Config {
  return {
    client: StatementCachingClient as unknown as typeof Knex.Client,
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      afterCreate(connection: { pragma(sql: string): unknown }, done: (err: Error | null, c: unknown) => void) {
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

function postgresConfig(config: Config, module: string, role: string | null): Knex.Config {
  return {
    client: 'pg',
    connection: config.moduleDatabaseUrls[module] ?? config.databaseUrl!,
    searchPath: [module],
    pool: {
      min: 0,
      max: config.poolMax,
      afterCreate(connection: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, c: unknown) => void) {
        if (role === null) return done(null, connection);
        connection.query(`SET ROLE "${role}"`, (err) => done(err, connection));
      },
    },
  };
}

/** Creates each module's schema, and its own role owning it when the connecting user may create roles. */
async function provisionSchemas(admin: Knex, names: string[]): Promise<boolean> {
  const { rows } = await admin.raw(`SELECT rolsuper OR rolcreaterole AS can FROM pg_roles WHERE rolname = current_user`);
  const canCreateRoles = rows[0]?.can === true;
  for (const name of names) {
    if (!canCreateRoles) {
      await admin.raw(`CREATE SCHEMA IF NOT EXISTS "${name}"`);
      continue;
    }
    const role = roleName(name);
    // Roles are shared by every database of the server: tolerate a concurrent creator.
    await admin.raw(`DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE "${role}" NOLOGIN; END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
    await admin.raw(`DO $$ BEGIN
        IF NOT pg_has_role(current_user, '${role}', 'MEMBER') THEN GRANT "${role}" TO current_user; END IF; END $$`);
    await admin.raw(`CREATE SCHEMA IF NOT EXISTS "${name}" AUTHORIZATION "${role}"`);
    await admin.raw(`ALTER SCHEMA "${name}" OWNER TO "${role}"`);
  }
  return canCreateRoles;
}

/**
 * `npm run db:roles`: gives each module's role a login with a new random
 * password and returns the DATABASE_URL_<NAME> lines to configure, so each
 * module connects as itself and can touch its own schema only.
 */
export async function grantLogins(databaseUrl: string, names: string[]): Promise<string[]> {
  const admin = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
  try {
    await provisionSchemas(admin, names);
    const lines: string[] = [];
    for (const name of names) {
      const password = randomBytes(24).toString('base64url');
      await admin.raw(`ALTER ROLE "${roleName(name)}" LOGIN PASSWORD '${password}'`);
      const url = new URL(databaseUrl);
      url.username = roleName(name);
      url.password = password;
      lines.push(`DATABASE_URL_${name.toUpperCase()}=${url.toString()}`);
    }
    return lines;
  } finally {
    await admin.destroy();
  }
}

export type { Knex };
