/**
 * What proves a copy equal to its source: for each table its row count and an md5 of its rows in
 * primary-key order, and on PostgreSQL each sequence's position (the outbox's order, new ids). Each
 * side is read in one snapshot and computed the same way on both, so any row written to one side
 * and not the other shows as a different checksum.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';

export interface Fingerprint {
  /** `invoices`, or `sequence outbox_seq_seq`. */
  name: string;
  rows: number | null;
  checksum: string;
}

export interface Comparison {
  name: string;
  source: Fingerprint | null;
  copy: Fingerprint | null;
  equal: boolean;
}

export function compareFingerprints(source: Fingerprint[], copy: Fingerprint[]): Comparison[] {
  const names = [...new Set([...source, ...copy].map((f) => f.name))].sort();
  return names.map((name) => {
    const a = source.find((f) => f.name === name) ?? null;
    const b = copy.find((f) => f.name === name) ?? null;
    return { name, source: a, copy: b, equal: a !== null && b !== null && a.rows === b.rows && a.checksum === b.checksum };
  });
}

/** Every table and sequence of a PostgreSQL schema, read in one snapshot. */
export async function postgresFingerprints(url: string, schema: string): Promise<Fingerprint[]> {
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    return await knex.transaction((trx) => fingerprintSchema(trx, schema), { isolationLevel: 'repeatable read', readOnly: true });
  } finally {
    await knex.destroy();
  }
}

async function fingerprintSchema(trx: Knex.Transaction, schema: string): Promise<Fingerprint[]> {
  // A row's text depends on these settings: the same on both sides, whatever each server's defaults.
  await trx.raw(`SET LOCAL timezone = 'UTC'; SET LOCAL datestyle = 'ISO, YMD'; SET LOCAL intervalstyle = 'postgres';
    SET LOCAL bytea_output = 'hex'; SET LOCAL extra_float_digits = 1`);
  const { rows: tables } = await trx.raw(
    `SELECT c.oid, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ? AND c.relkind IN ('r', 'S') ORDER BY c.relname`,
    [schema],
  );
  const fingerprints: Fingerprint[] = [];
  for (const { oid, relname, relkind } of tables as { oid: number; relname: string; relkind: string }[]) {
    if (relkind === 'S') {
      const { rows } = await trx.raw(`SELECT pg_sequence_last_value(?::oid)::text AS position`, [oid]);
      fingerprints.push({
        name: `sequence ${relname}`,
        rows: null,
        checksum: rows[0].position === null ? 'never used' : `last value ${rows[0].position}`,
      });
      continue;
    }
    const order = await primaryKeyOrder(trx, oid);
    const { rows } = await trx.raw(
      `SELECT count(*) AS rows, md5(coalesce(string_agg(md5(t::text), '' ORDER BY ${order}), '')) AS checksum
         FROM "${schema}"."${relname}" t`,
    );
    fingerprints.push({ name: relname, rows: Number(rows[0].rows), checksum: rows[0].checksum });
  }
  return fingerprints;
}

/** ORDER BY the primary key, text compared byte by byte (servers' collations may differ); the whole row without one. */
async function primaryKeyOrder(trx: Knex.Transaction, table: number): Promise<string> {
  const { rows } = await trx.raw(
    `SELECT a.attname, a.attcollation <> 0 AS collatable FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = ?::oid AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [table],
  );
  const columns = (rows as { attname: string; collatable: boolean }[]).map((c) => `t."${c.attname}"${c.collatable ? ' COLLATE "C"' : ''}`);
  return columns.length > 0 ? columns.join(', ') : 't::text COLLATE "C"';
}

/** Every table of a SQLite file (its AUTOINCREMENT counters in sqlite_sequence among them), read in one snapshot. */
export function sqliteFingerprints(file: string): Fingerprint[] {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    return db.transaction(() => {
      const tables = db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_stat%' ORDER BY name`)
        .pluck()
        .all() as string[];
      return tables.map((table) => {
        const key = (db.pragma(`table_info("${table}")`) as { name: string; pk: number }[])
          .filter((c) => c.pk > 0)
          .sort((a, b) => a.pk - b.pk);
        const order = key.length > 0 ? key.map((c) => `"${c.name}"`).join(', ') : 'rowid';
        const hash = createHash('md5');
        let rows = 0;
        for (const row of db.prepare(`SELECT * FROM "${table}" ORDER BY ${order}`).raw(true).safeIntegers(true).iterate()) {
          hash.update(`${JSON.stringify(row, exactValues)}\n`);
          rows++;
        }
        return { name: table, rows, checksum: hash.digest('hex') };
      });
    })();
  } finally {
    db.close();
  }
}

/** Integers exactly (past 2^53 too) and apart from text: no text value is a JSON array. */
const exactValues = (_key: string, value: unknown) => (typeof value === 'bigint' ? ['integer', value.toString()] : value);
