/** The databases of one process: the platform store and each local module's, each migrated before use. */
import type { Logger, ModuleDefinition } from '../kernel/index.ts';
import type { Config } from '../config.ts';
import { openDatabases } from '../platform/database/open.ts';
import { migrate, migrationTracks } from '../platform/migrations.ts';

export async function openMigrated(config: Config, local: ModuleDefinition[], log: Logger) {
  const tracks = new Map(local.map((m) => [m.name, migrationTracks(m)]));
  tracks.set('platform', migrationTracks('platform'));
  const databases = await openDatabases(config, ['platform', ...local.map((m) => m.name)], log, async (opened) => {
    for (const [name, db] of opened) {
      const ran = await migrate(db, tracks.get(name)!);
      if (ran.length > 0) log.info({ module: name, migrations: ran }, 'migrated');
    }
  });
  return { databases, tracks };
}
