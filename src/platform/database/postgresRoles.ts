/**
 * Getting PostgreSQL databases ready: each module's schema, and its own role owning that schema when
 * the connecting user may create roles, under the migration lock of every database involved. A
 * module's database is DATABASE_URL_<NAME> when set, wherever it is; DATABASE_URL otherwise.
 */
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import type { Config } from '../../config.ts';

export const roleName = (module: string) => `seams_${module}`;

/** The variable naming the database of the platform store or of a module. */
export function databaseVariable(config: Config, name: string): string {
  return config.moduleDatabaseUrls[name] ? `DATABASE_URL_${name.toUpperCase()}` : 'DATABASE_URL';
}

/** The database of the platform store or of a module: its own DATABASE_URL_<NAME>, or DATABASE_URL. */
export function databaseUrlOf(config: Config, name: string): string {
  const url = config.moduleDatabaseUrls[name] ?? config.databaseUrl;
  if (url === null) throw new Error(`${name} has no PostgreSQL database: DATABASE_URL is not set`);
  return url;
}

/** A database URL to print: its password hidden. */
export function withoutPassword(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.password) url.password = '***';
  return url.toString();
}

/**
 * How a module's connections are kept to its schema, as found from the user of its URL:
 * `role` — the user may create roles, so the schema belongs to the module's role and connections SET ROLE to it;
 * `login` — the user is the module's role itself (a login from `npm run db:roles`);
 * `search-path` — neither: schemas are apart by search_path only.
 */
export type Separation = { kind: 'role'; role: string } | { kind: 'login' } | { kind: 'search-path' };

export interface LockedDatabases {
  /** Creates the schema of the platform store or a module (and its role) through its own URL. */
  provision(name: string): Promise<Separation>;
  /** The locked connection to a name's database, as its URL's user. */
  admin(name: string): Knex;
  release(): Promise<void>;
}

const LOCK = `hashtext('seams.migrate')`;

/**
 * Connects to the database of each name and takes its migration lock, so instances starting together
 * provision and migrate one after the other. One lock per database, as modules may live on different
 * servers. Two URLs of one database (DATABASE_URL and a module's login) share its lock, which is taken
 * once, and locks are taken in the same order by every instance, so two never wait for each other.
 */
export async function lockDatabases(urls: Map<string, string>): Promise<LockedDatabases> {
  // One connection (min = max = 1): the session that takes an advisory lock must be the one that releases it.
  const adminOf = (url: string) => knexFactory({ client: 'pg', connection: url, pool: { min: 1, max: 1 } });
  const admins = new Map([...new Set(urls.values())].map((url) => [url, adminOf(url)]));
  const locked: Knex[] = [];
  const release = async () => {
    for (const admin of locked) await admin.raw(`SELECT pg_advisory_unlock(${LOCK})`).catch(() => undefined);
    await Promise.all([...admins.values()].map((admin) => admin.destroy()));
  };
  try {
    const byDatabase = new Map<string, Knex>();
    for (const admin of admins.values()) {
      const id = await databaseIdentity(admin);
      if (!byDatabase.has(id)) byDatabase.set(id, admin);
    }
    for (const id of [...byDatabase.keys()].sort()) {
      await byDatabase.get(id)!.raw(`SELECT pg_advisory_lock(${LOCK})`);
      locked.push(byDatabase.get(id)!);
    }
  } catch (error) {
    await release();
    throw error;
  }
  const admin = (name: string) => admins.get(urls.get(name)!)!;
  return { admin, provision: (name) => provisionSchema(admin(name), name), release };
}

/** Which database a connection reaches, whatever the URL's user or host name: its server's identifier and its name. */
export async function databaseIdentity(knex: Knex): Promise<string> {
  const { rows } = await knex.raw(`SELECT (pg_control_system()).system_identifier::text || '/' || current_database() AS id`);
  return rows[0].id;
}

/** Creates a schema, and its own role owning it when the connecting user may create roles. */
export async function provisionSchema(admin: Knex, name: string): Promise<Separation> {
  const { rows } = await admin.raw(
    `SELECT current_user AS who, rolsuper OR rolcreaterole AS can FROM pg_roles WHERE rolname = current_user`,
  );
  const { who, can } = rows[0] as { who: string; can: boolean };
  const role = roleName(name);
  if (!can) {
    // CREATE SCHEMA IF NOT EXISTS needs the right to create schemas even when it exists, which a module's own login lacks.
    const { rows: found } = await admin.raw(`SELECT 1 FROM pg_namespace WHERE nspname = ?`, [name]);
    if (found.length === 0) await admin.raw(`CREATE SCHEMA "${name}"`);
    return who === role ? { kind: 'login' } : { kind: 'search-path' };
  }
  // Roles are shared by every database of the server: tolerate a concurrent creator.
  await admin.raw(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE "${role}" NOLOGIN; END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
  await admin.raw(`DO $$ BEGIN
      IF NOT pg_has_role(current_user, '${role}', 'MEMBER') THEN GRANT "${role}" TO current_user; END IF; END $$`);
  await admin.raw(`CREATE SCHEMA IF NOT EXISTS "${name}" AUTHORIZATION "${role}"`);
  await admin.raw(`ALTER SCHEMA "${name}" OWNER TO "${role}"`);
  return { kind: 'role', role };
}

/**
 * `npm run db:roles`: gives each module's role a login with a new random password, on the server its
 * database is on, and answers the DATABASE_URL_<NAME> lines to configure, so each module connects as
 * itself and can touch its own schema only. A module whose URL is its own login already is left as it
 * is and named in `ownLogins`.
 */
export async function grantLogins(config: Config, names: string[]): Promise<{ lines: string[]; ownLogins: string[] }> {
  const databases = await lockDatabases(new Map(names.map((name) => [name, databaseUrlOf(config, name)])));
  try {
    const lines: string[] = [];
    const ownLogins: string[] = [];
    for (const name of names) {
      const separation = await databases.provision(name);
      if (separation.kind === 'login') {
        ownLogins.push(name);
        continue;
      }
      if (separation.kind === 'search-path') {
        const variable = databaseVariable(config, name);
        throw new Error(`the user of ${variable} may not create roles: db roles needs one that may (CREATEROLE, or a superuser)`);
      }
      const password = randomBytes(24).toString('base64url');
      await databases.admin(name).raw(`ALTER ROLE "${separation.role}" LOGIN PASSWORD '${password}'`);
      const url = new URL(databaseUrlOf(config, name));
      url.username = separation.role;
      url.password = password;
      lines.push(`DATABASE_URL_${name.toUpperCase()}=${url.toString()}`);
    }
    return { lines, ownLogins };
  } finally {
    await databases.release();
  }
}
