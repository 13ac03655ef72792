/**
 * Knex CLI settings, one environment per database: `platform` and each module.
 * seams migrates itself (`npm run migrate`, and at start-up); this file is for
 * ad-hoc use of the knex CLI, e.g.
 *   npm run knex -- --env operations migrate:status
 * It reads the same environment variables as the server (DATABASE_URL, DATABASE_URL_<NAME>,
 * SEAMS_DATA_DIR): a module with its own database is reached there.
 */
import type { Knex } from 'knex';
import { loadConfig } from './src/config.ts';
import { modules } from './src/modules.ts';
import { knexConfig } from './src/platform/database/open.ts';
import { migrationTracks } from './src/platform/migrations.ts';

const config = loadConfig();

function environment(name: string, folder: string): Knex.Config {
  return {
    ...knexConfig(config, name),
    migrations: {
      directory: folder,
      loadExtensions: ['.ts'],
      tableName: 'knex_migrations',
      ...(config.databaseUrl && { schemaName: name }),
    },
  };
}

const environments: Record<string, Knex.Config> = {
  platform: environment('platform', migrationTracks('platform')[0]!.folder),
};
for (const module of modules) environments[module.name] = environment(module.name, module.migrations);

export default environments;
