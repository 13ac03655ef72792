import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import knexFactory from 'knex';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { dialects, freshPostgres, tempDir } from '../helpers/databases.ts';
import { cli } from './cliProcess.ts';

test('[sqlite] a data directory that does not exist is refused, naming the setting; migrate creates it, saying so', async (t) => {
  const dataDir = path.join(tempDir(t), 'data');
  const refused = await cli(['tokens', 'create', '--role', 'admin'], { SEAMS_DATA_DIR: dataDir });
  t.is(refused.code, 1);
  t.is(refused.stdout, '');
  t.true(
    refused.stderr.endsWith(
      `error: no data directory ${dataDir}: run the CLI with the server's SEAMS_DATA_DIR (or DATABASE_URL), ` +
        'or create a new one with `npm run cli -- migrate`\n',
    ),
    refused.stderr,
  );
  t.false(fs.existsSync(dataDir), 'no empty directory was left behind');

  const migrated = await cli(['migrate'], { SEAMS_DATA_DIR: dataDir });
  t.is(migrated.code, 0, migrated.stderr);
  t.is(migrated.stdout, 'migrations are current\n');
  t.true(migrated.stderr.includes(`creating the data directory ${dataDir}\n`));
  t.regex(migrated.stderr, /^billing: running \d+ pending migrations \(001_billing_accounts\.ts, /m);
  t.deepEqual(
    fs
      .readdirSync(dataDir)
      .filter((f) => f.endsWith('.sqlite'))
      .sort(),
    ['billing.sqlite', 'operations.sqlite', 'platform.sqlite'],
  );
  const again = await cli(['migrate'], { SEAMS_DATA_DIR: dataDir });
  t.is(again.code, 0);
  t.notRegex(again.stderr, /pending|creating/);
});

for (const dialect of dialects) {
  test(`[${dialect}] tokens create opens the platform database alone, migrates it only when it has pending migrations, says which database on stderr, and the server accepts the token`, async (t) => {
    const dataDir = tempDir(t);
    const databaseUrl = dialect === 'postgres' ? new URL(await freshPostgres(t)) : null;
    // The password is accepted (trust authentication) and must not be printed.
    if (databaseUrl) databaseUrl.password = 'not-to-be-printed';
    const settings = { SEAMS_DATA_DIR: dataDir, DATABASE_URL: databaseUrl?.toString() ?? '' };

    const first = await cli(['tokens', 'create', '--role', 'ops', '--name', 'ingest job'], settings);
    t.is(first.code, 0, first.stderr);
    t.regex(first.stdout, /^tok_\w{26}\.[\w-]{43}\n$/, 'stdout is the token alone');
    const [used, migrating] = first.stderr.split('\n');
    t.is(
      used,
      databaseUrl
        ? `database: PostgreSQL ${databaseUrl.toString().replace('not-to-be-printed', '***')} (DATABASE_URL)`
        : `database: SQLite files in ${dataDir} (SEAMS_DATA_DIR)`,
    );
    t.regex(migrating!, /^platform: running \d+ pending migrations \(001_tokens\.ts, /);
    t.notRegex(first.stderr, /operations|billing|not-to-be-printed/);

    const second = await cli(['tokens', 'create', '--role', 'finance'], settings);
    t.is(second.code, 0, second.stderr);
    t.notRegex(second.stderr, /pending/, 'nothing left to migrate');
    t.is(await storesCreated(dataDir, databaseUrl), 'platform', 'no module database was opened');

    const app = await createApp(loadConfig({ ...settings, LOG_LEVEL: 'silent' }));
    t.teardown(() => app.close());
    t.like(await app.tokens.authenticate(`Bearer ${first.stdout.trim()}`), { role: 'ops' });
  });

  test(`[${dialect}] a publisher token is checked against Operations: an unknown --publisher fails with exit 1, a registered one works`, async (t) => {
    const dataDir = tempDir(t);
    const databaseUrl = dialect === 'postgres' ? await freshPostgres(t) : '';
    const config = loadConfig({ SEAMS_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' });
    const app = await createApp(config);
    const cradle = app.modules.find((m) => m.definition.name === 'operations')!.container.cradle as any;
    const publisher = await cradle.publishers.register({ name: 'Pixel Forge', contactEmail: 'money@pixelforge.example', country: 'FI' });
    await app.close();
    const settings = { SEAMS_DATA_DIR: dataDir, DATABASE_URL: databaseUrl };

    const unknown = await cli(['tokens', 'create', '--role', 'publisher', '--publisher', 'pub_nobody'], settings);
    t.is(unknown.code, 1);
    t.is(unknown.stdout, '');
    t.regex(unknown.stderr, /^error: --publisher pub_nobody: no such publisher$/m);
    const known = await cli(['tokens', 'create', '--role', 'publisher', '--publisher', publisher.id], settings);
    t.is(known.code, 0, known.stderr);
    t.regex(known.stdout, /^tok_\w{26}\.[\w-]{43}\n$/);
  });
}

/** Which of the platform's and modules' stores exist: SQLite files, or PostgreSQL schemas. */
async function storesCreated(dataDir: string, databaseUrl: URL | null): Promise<string> {
  if (databaseUrl === null)
    return fs
      .readdirSync(dataDir)
      .filter((f) => f.endsWith('.sqlite'))
      .map((f) => f.replace('.sqlite', ''))
      .join(',');
  const db = knexFactory({ client: 'pg', connection: databaseUrl.toString() });
  try {
    const { rows } = await db.raw(
      `select schema_name from information_schema.schemata where schema_name in ('platform', 'operations', 'billing')`,
    );
    return rows.map((r: { schema_name: string }) => r.schema_name).join(',');
  } finally {
    await db.destroy();
  }
}
