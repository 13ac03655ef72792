/**
 * A module's data moved to a new database: copied as one consistent snapshot (pg_dump of its schema on
 * PostgreSQL, VACUUM INTO on SQLite), then compared with its source table by table. The copy is
 * consistent even while the module writes; the comparison tells whether it wrote since.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { compareFingerprints, postgresFingerprints, sqliteFingerprints, type Comparison } from './fingerprints.ts';
import { MoveRefused } from './moveRefused.ts';
import { copyPostgresSchema, refuseOccupied, sameDatabase } from './postgresCopy.ts';

/** Where a module's data is: a PostgreSQL database (its schema named as the module), or a SQLite file. */
export type Store = { kind: 'postgres'; url: string } | { kind: 'sqlite'; file: string };

export type MoveStep = 'copying' | 'verifying';

/**
 * Copies the module's data from `source` to `target`, which must not hold it yet, and compares the two.
 * `onStep` hears of each step before it starts.
 */
export async function moveModule(
  module: string,
  source: Store,
  target: Store,
  onStep: (step: MoveStep) => unknown = () => {},
): Promise<Comparison[]> {
  await refuseMove(module, source, target);
  await onStep('copying');
  if (source.kind === 'postgres' && target.kind === 'postgres') await copyPostgresSchema(module, source.url, target.url);
  if (source.kind === 'sqlite' && target.kind === 'sqlite') copySqliteFile(source.file, target.file);
  await onStep('verifying');
  return compareStores(module, source, target);
}

/** Compares a module's data with its copy made by moveModule, until the module runs from the copy. */
export async function verifyCopy(module: string, source: Store, target: Store): Promise<Comparison[]> {
  const same =
    source.kind === 'postgres' && target.kind === 'postgres'
      ? await sameDatabase(source.url, target.url)
      : source.kind === 'sqlite' && target.kind === 'sqlite' && path.resolve(source.file) === path.resolve(target.file);
  if (same) throw new MoveRefused(`the target is ${module}'s database already: compare with the settings from before the move`);
  return compareStores(module, source, target);
}

/** Row counts and checksums per table (and sequence positions on PostgreSQL), on both sides. */
async function compareStores(module: string, source: Store, target: Store): Promise<Comparison[]> {
  if (source.kind === 'postgres' && target.kind === 'postgres') {
    const [a, b] = await Promise.all([postgresFingerprints(source.url, module), postgresFingerprints(target.url, module)]);
    return compareFingerprints(a, b);
  }
  if (source.kind === 'sqlite' && target.kind === 'sqlite') {
    if (!fs.existsSync(target.file)) throw new MoveRefused(`no copy of ${module} at ${target.file}`);
    return compareFingerprints(sqliteFingerprints(source.file), sqliteFingerprints(target.file));
  }
  throw new MoveRefused(kindsDiffer(source));
}

async function refuseMove(module: string, source: Store, target: Store): Promise<void> {
  if (source.kind === 'postgres' && target.kind === 'postgres') {
    if (await sameDatabase(source.url, target.url))
      throw new MoveRefused(`the target is ${module}'s database already: give --to another database or server`);
    return refuseOccupied(target.url, module);
  }
  if (source.kind === 'sqlite' && target.kind === 'sqlite') {
    if (!fs.existsSync(source.file))
      throw new MoveRefused(`no ${module} database at ${source.file}: run the CLI with the server's SEAMS_DATA_DIR`);
    if (path.resolve(target.file) === path.resolve(source.file))
      throw new MoveRefused(`the target is ${module}'s database already: give --to another directory`);
    if (fs.existsSync(target.file))
      throw new MoveRefused(`the target is not empty: ${target.file} exists (move into a directory without it, or remove it first)`);
    return;
  }
  throw new MoveRefused(kindsDiffer(source));
}

const kindsDiffer = (source: Store) =>
  source.kind === 'postgres'
    ? 'the module is on PostgreSQL: the target must be a postgres:// URL'
    : 'the module is on SQLite: the target must be a directory';

/** VACUUM INTO writes a consistent snapshot of the file, in one read transaction, beside the writers. */
function copySqliteFile(source: string, target: string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    db.prepare('VACUUM INTO ?').run(partial);
  } finally {
    db.close();
  }
  // Only a whole copy takes the name seams opens.
  fs.renameSync(partial, target);
}
