/**
 * `modules move` and `modules verify` as operators run them (child processes) on real databases:
 * Billing's schema to a second PostgreSQL server, Billing's SQLite file to another directory. A row
 * written at the source after the copy is found, and so is one written between the copy and its check.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import knexFactory from 'knex';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { moveModule } from '../../src/platform/dataMove/moveModule.ts';
import { dialects, freshPostgres, tempDir } from '../helpers/databases.ts';
import { cli } from './cliProcess.ts';
import { billingAccountsOpened } from './moduleData.ts';
import { startSecondServer, type PostgresServer } from './secondServer.ts';

const EQUAL = /^equal {4}\S+( \S+)?: .+$/;
const lines = (stdout: string) => stdout.trimEnd().split('\n');

if (dialects.includes('postgres')) {
  let second: PostgresServer;
  test.before(async () => {
    second = await startSecondServer();
  });
  test.after.always(() => second?.stop());
  const newDatabase = () => second.createDatabase(`seams_move_${randomBytes(4).toString('hex')}`);

  test("[postgres] modules move copies billing's schema to another server, equal table by table, owned by its role there; billing then runs from it", async (t) => {
    const settings = { DATABASE_URL: await freshPostgres(t), SEAMS_DATA_DIR: tempDir(t) };
    const [publisherId] = await billingAccountsOpened(settings);
    const target = await newDatabase();

    const moved = await cli(['modules', 'move', 'billing', '--to', target], settings);
    t.is(moved.code, 0, moved.stderr);
    const [setting, ...checks] = lines(moved.stdout).reverse();
    t.is(setting, `DATABASE_URL_BILLING=${target}`);
    t.true(
      checks.every((line) => EQUAL.test(line)),
      moved.stdout,
    );
    t.regex(moved.stdout, /^equal {4}billing_accounts: 2 rows, md5 [0-9a-f]{32}$/m);
    t.regex(moved.stdout, /^equal {4}inbox: 2 rows/m);
    t.regex(moved.stdout, /^equal {4}sequence outbox_seq_seq: /m);
    t.regex(moved.stderr, /modules verify billing --to /);

    const owners = knexFactory({ client: 'pg', connection: target });
    t.teardown(() => owners.destroy());
    const { rows } = await owners.raw(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'billing'`);
    t.deepEqual(rows, [{ tableowner: 'seams_billing' }]);

    const app = await createApp(loadConfig({ ...settings, DATABASE_URL_BILLING: target, LOG_LEVEL: 'silent', SEAMS_DB_POOL_MAX: '2' }));
    t.teardown(() => app.close());
    const billing = app.databases.get('billing')!.knex;
    const where = (await billing.raw(`SELECT inet_server_port() AS port, current_user AS who`)).rows[0];
    t.deepEqual(where, { port: Number(new URL(target).port), who: 'seams_billing' });
    t.truthy(await billing('billing_accounts').where({ publisher_id: publisherId }).first());
  });

  test('[postgres] modules verify finds a row written at the source after the copy: exit 1, the table named', async (t) => {
    const source = await freshPostgres(t);
    const settings = { DATABASE_URL: source, SEAMS_DATA_DIR: tempDir(t) };
    const [publisherId] = await billingAccountsOpened(settings);
    const target = await newDatabase();
    t.is((await cli(['modules', 'move', 'billing', '--to', target], settings)).code, 0);
    t.is((await cli(['modules', 'verify', 'billing', '--to', target], settings)).code, 0, 'nothing written since');

    const db = knexFactory({ client: 'pg', connection: source });
    t.teardown(() => db.destroy());
    await db('billing.billing_accounts').where({ publisher_id: publisherId }).update({ payment_terms_days: 45 });
    const verified = await cli(['modules', 'verify', 'billing', '--to', target], settings);
    t.is(verified.code, 1);
    t.regex(verified.stdout, /^DIFFERS {2}billing_accounts: 2 rows, md5 (\w{32}) at the source, 2 rows, md5 (?!\1)\w{32} in the copy$/m);
    t.regex(verified.stdout, /^equal {4}inbox: /m);
    t.regex(
      verified.stderr,
      /^error: the copy differs from billing's data in 1 of \d+ tables and sequences: something wrote to billing during or after the copy/m,
    );
  });

  test('[postgres] a row written between the copy and its check is found: the move answers the table that differs', async (t) => {
    const source = await freshPostgres(t);
    const [publisherId] = await billingAccountsOpened({ DATABASE_URL: source, SEAMS_DATA_DIR: tempDir(t) });
    const target = await newDatabase();
    const db = knexFactory({ client: 'pg', connection: source });
    t.teardown(() => db.destroy());

    const comparisons = await moveModule('billing', { kind: 'postgres', url: source }, { kind: 'postgres', url: target }, async (step) => {
      if (step === 'verifying') await db('billing.billing_accounts').where({ publisher_id: publisherId }).update({ tax_id: 'FI12345678' });
    });
    t.deepEqual(
      comparisons.filter((c) => !c.equal).map((c) => c.name),
      ['billing_accounts'],
    );
  });

  test('[postgres] modules move refuses a target holding the schema, the same database under another URL, an unknown module and a directory', async (t) => {
    const source = await freshPostgres(t);
    const settings = { DATABASE_URL: source, SEAMS_DATA_DIR: tempDir(t) };
    await billingAccountsOpened(settings, ['Pixel Forge']);
    const target = await newDatabase();
    t.is((await cli(['modules', 'move', 'billing', '--to', target], settings)).code, 0);

    const again = await cli(['modules', 'move', 'billing', '--to', target], settings);
    t.is(again.code, 1);
    t.regex(again.stderr, /^error: the target is not empty: schema billing already holds \d+ tables, indexes or sequences in /m);
    t.is((await cli(['modules', 'verify', 'billing', '--to', target], settings)).code, 0, 'the copy was left as it was');

    const alias = new URL(source);
    alias.protocol = 'postgresql:';
    alias.password = 'trusted-anyway';
    const same = await cli(['modules', 'move', 'billing', '--to', alias.toString()], settings);
    t.is(same.code, 1);
    t.regex(same.stderr, /^error: the target is billing's database already/m);

    const unknown = await cli(['modules', 'move', 'bills', '--to', await newDatabase()], settings);
    t.is(unknown.code, 2);
    t.regex(unknown.stderr, /^error: unknown module "bills" \(known: operations, billing\)/m);
    const directory = await cli(['modules', 'move', 'billing', '--to', tempDir(t)], settings);
    t.is(directory.code, 2);
    t.regex(directory.stderr, /^error: --to must be a postgres:\/\/ URL: billing's data is on PostgreSQL \(DATABASE_URL\)/m);
  });
}

test("[sqlite] modules move copies billing's file into another directory, equal table by table; billing runs alone from there", async (t) => {
  const settings = { SEAMS_DATA_DIR: tempDir(t) };
  const [publisherId] = await billingAccountsOpened(settings);
  const target = path.join(tempDir(t), 'billing-data');

  const moved = await cli(['modules', 'move', 'billing', '--to', target], settings);
  t.is(moved.code, 0, moved.stderr);
  const [setting, ...checks] = lines(moved.stdout).reverse();
  t.is(setting, `SEAMS_DATA_DIR=${target}`);
  t.true(
    checks.every((line) => EQUAL.test(line)),
    moved.stdout,
  );
  t.regex(moved.stdout, /^equal {4}billing_accounts: 2 rows, md5 [0-9a-f]{32}$/m);
  t.deepEqual(fs.readdirSync(target), ['billing.sqlite']);

  const app = await createApp(
    loadConfig({
      SEAMS_DATA_DIR: target,
      SEAMS_MODULES: 'billing',
      SEAMS_REMOTE_OPERATIONS: 'http://127.0.0.1:9',
      SEAMS_SERVICE_TOKEN: 'a-service-token-for-the-test',
      LOG_LEVEL: 'silent',
    }),
  );
  t.teardown(() => app.close());
  t.truthy(await app.databases.get('billing')!.knex('billing_accounts').where({ publisher_id: publisherId }).first());
});

test('[sqlite] modules verify finds a row written after the copy; a second move into the same directory is refused', async (t) => {
  const settings = { SEAMS_DATA_DIR: tempDir(t) };
  const [publisherId] = await billingAccountsOpened(settings);
  const target = path.join(tempDir(t), 'billing-data');
  t.is((await cli(['modules', 'move', 'billing', '--to', target], settings)).code, 0);

  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(settings.SEAMS_DATA_DIR, 'billing.sqlite') },
    useNullAsDefault: true,
  });
  t.teardown(() => db.destroy());
  await db('billing_accounts').where({ publisher_id: publisherId }).update({ currency: 'EUR' });
  const verified = await cli(['modules', 'verify', 'billing', '--to', target], settings);
  t.is(verified.code, 1);
  t.regex(verified.stdout, /^DIFFERS {2}billing_accounts: 2 rows, md5 (\w{32}) at the source, 2 rows, md5 (?!\1)\w{32} in the copy$/m);
  t.regex(verified.stderr, /^error: the copy differs from billing's data in 1 of \d+ tables/m);

  const again = await cli(['modules', 'move', 'billing', '--to', target], settings);
  t.is(again.code, 1);
  t.regex(again.stderr, /^error: the target is not empty: .*billing\.sqlite exists/m);
});
