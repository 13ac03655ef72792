/**
 * A module's schema copied to another PostgreSQL database or server with PostgreSQL's own tools:
 * pg_dump reads it in one snapshot (a consistent copy, however busy the source), and pg_restore
 * writes it in one transaction (all of it or nothing) into a schema made as seams makes one there:
 * owned by the module's role when the target's user may create roles.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { databaseIdentity, lockDatabases, withoutPassword } from '../database/postgresRoles.ts';
import { MoveRefused } from './moveRefused.ts';

/** Answers whether two URLs reach one database (another user or host name for it counts as the same). */
export async function sameDatabase(a: string, b: string): Promise<boolean> {
  const [one, other] = await Promise.all([a, b].map((url) => withConnection(url, databaseIdentity)));
  return one === other;
}

/** Refuses a target whose schema of that name holds anything; an empty one (made for it beforehand) is fine. */
export async function refuseOccupied(url: string, schema: string): Promise<void> {
  const relations = await withConnection(url, async (knex) => {
    const { rows } = await knex.raw(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = ?`,
      [schema],
    );
    return rows[0].n as number;
  });
  if (relations > 0) {
    throw new MoveRefused(
      `the target is not empty: schema ${schema} already holds ${relations} tables, indexes or sequences in ${withoutPassword(url)} ` +
        '(move into a database without it, or drop it there first)',
    );
  }
}

/** Copies the schema `module` from one database to the other, under the target's migration lock. */
export async function copyPostgresSchema(module: string, sourceUrl: string, targetUrl: string): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'seams-move-'));
  // A service started early on the target waits for the lock, then finds the schema migrated.
  const target = await lockDatabases(new Map([[module, targetUrl]]));
  try {
    await refuseOccupied(targetUrl, module);
    const dump = path.join(scratch, `${module}.dump`);
    await pgTool('pg_dump', ['--format=custom', `--schema=${module}`, `--file=${dump}`], sourceUrl);
    // The schema itself is made below as seams makes it there, not restored as it was at the source.
    const entries = (await pgTool('pg_restore', ['--list', dump])).split('\n').filter((line) => !/^\d+; \d+ \d+ SCHEMA - /.test(line));
    const list = path.join(scratch, `${module}.list`);
    fs.writeFileSync(list, `${entries.join('\n')}\n`);
    const separation = await target.provision(module);
    const role = separation.kind === 'role' ? [`--role=${separation.role}`] : [];
    await pgTool(
      'pg_restore',
      ['--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', `--use-list=${list}`, ...role, dump],
      targetUrl,
    );
  } finally {
    await target.release();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function withConnection<T>(url: string, work: (knex: Knex) => Promise<T>): Promise<T> {
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    return await work(knex);
  } finally {
    await knex.destroy();
  }
}

/**
 * Runs pg_dump or pg_restore and answers its output. The password goes in the environment
 * (PGPASSWORD), not on the command line, where every user of the machine could read it.
 */
function pgTool(command: string, args: string[], url?: string): Promise<string> {
  const env = { ...process.env };
  if (url !== undefined) {
    const parsed = new URL(url);
    if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
    parsed.password = '';
    args = [...args, `--dbname=${parsed.toString()}`];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new MoveRefused(
              `${command} not found: install PostgreSQL's client tools of the server's version (Debian: postgresql-client-<version>)`,
            )
          : error,
      ),
    );
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} failed (exit ${code}): ${err.trim()}`))));
  });
}
