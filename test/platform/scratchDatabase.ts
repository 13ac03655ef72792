/** A database opened as the host opens one (platform migrations run), with a small `notes` table; closed when the test ends. */
import type { ExecutionContext } from 'ava';
import { openDatabases, type OpenDatabase } from '../../src/platform/database/open.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { migrate, migrationTracks } from '../../src/platform/migrations.ts';
import { testConfig, type Dialect } from '../helpers/databases.ts';

export async function scratchDatabase(t: ExecutionContext, dialect: Dialect, connections = 1): Promise<OpenDatabase> {
  const config = await testConfig(t, dialect, { SEAMS_DB_POOL_MAX: String(connections) });
  // The platform's migrations, as every database has them (writeTransaction's SQLite lock writes to their table).
  const migrated = async (opened: Map<string, OpenDatabase>) => void (await migrate(opened.get('scratch')!, migrationTracks('platform')));
  const databases = await openDatabases(config, ['scratch'], createLogger(config), migrated);
  const db = databases.get('scratch')!;
  t.teardown(() => db.close());
  await db.knex.raw('CREATE TABLE notes (id integer PRIMARY KEY, title text NOT NULL, body text)');
  await db.knex('notes').insert([
    { id: 1, title: 'one', body: 'first' },
    { id: 2, title: 'two', body: null },
  ]);
  return db;
}
