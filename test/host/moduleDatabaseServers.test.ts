/**
 * DATABASE_URL_<NAME> as a module's database wherever it is: Billing on a second PostgreSQL server
 * gets its schema, role and migrations there, under that server's migration lock, while the platform
 * store and Operations stay on DATABASE_URL; `npm run migrate` in a process that runs Billing alone
 * touches only Billing's database and its own platform store; `db roles` gives Billing its login there.
 */
import { randomBytes } from 'node:crypto';
import test from 'ava';
import knexFactory, { type Knex } from 'knex';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { dialects, freshPostgres, tempDir } from '../helpers/databases.ts';
import { cli } from './cliProcess.ts';
import { billingAccountsOpened } from './moduleData.ts';
import { startSecondServer, type PostgresServer } from './secondServer.ts';

if (dialects.includes('postgres')) {
  let second: PostgresServer;
  test.before(async () => {
    second = await startSecondServer();
  });
  test.after.always(() => second?.stop());
  const newDatabase = () => second.createDatabase(`seams_own_${randomBytes(4).toString('hex')}`);

  /** A connection for the test's own queries, closed after it. */
  const connect = (t: Parameters<typeof tempDir>[0], url: string): Knex => {
    const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
    t.teardown(() => knex.destroy());
    return knex;
  };
  const schemas = async (knex: Knex) =>
    (await knex.raw(`SELECT nspname FROM pg_namespace WHERE nspname IN ('platform', 'operations', 'billing') ORDER BY nspname`)).rows.map(
      (r: { nspname: string }) => r.nspname,
    );

  test("[postgres] with DATABASE_URL_BILLING on another server, Billing's schema, role and migrations are made there, the rest stays on DATABASE_URL, and events cross", async (t) => {
    const main = await freshPostgres(t);
    const own = await newDatabase();
    await billingAccountsOpened({ DATABASE_URL: main, DATABASE_URL_BILLING: own, SEAMS_DATA_DIR: tempDir(t) });

    t.deepEqual(await schemas(connect(t, main)), ['operations', 'platform']);
    const there = connect(t, own);
    t.deepEqual(await schemas(there), ['billing']);
    const { rows } = await there.raw(`SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = 'billing'`);
    t.is(rows[0].owner, 'seams_billing');
    t.true(Number((await there('billing.knex_migrations').count({ n: '*' }))[0]!.n) > 0);
    t.is(Number((await there('billing.billing_accounts').count({ n: '*' }))[0]!.n), 2, "opened from Operations' events");
  });

  test("[postgres] through a user that may not create roles, Billing's schema is still made and migrated on its server, owned by that user", async (t) => {
    const own = await newDatabase();
    const admin = connect(t, own);
    const user = `seams_plain_${randomBytes(3).toString('hex')}`;
    await admin.raw(`CREATE ROLE ${user} LOGIN`);
    await admin.raw(`GRANT CREATE ON DATABASE ${new URL(own).pathname.slice(1)} TO ${user}`);
    const asUser = new URL(own);
    asUser.username = user;

    const app = await createApp(
      loadConfig({
        DATABASE_URL: await freshPostgres(t),
        DATABASE_URL_BILLING: asUser.toString(),
        LOG_LEVEL: 'silent',
        SEAMS_DB_POOL_MAX: '2',
      }),
    );
    t.teardown(() => app.close());
    t.is(app.databases.get('billing')!.role, null, 'no role to SET: schemas apart by search_path only');
    const { rows } = await admin.raw(`SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = 'billing'`);
    t.is(rows[0].owner, user);
    t.is(Number((await app.databases.get('billing')!.knex('billing_accounts').count({ n: '*' }))[0]!.n), 0);
  });

  test('[postgres] npm run migrate in a process that runs Billing alone migrates Billing on its own server and the platform store, nothing else', async (t) => {
    const main = await freshPostgres(t);
    const own = await newDatabase();
    const run = await cli(['migrate'], {
      DATABASE_URL: main,
      DATABASE_URL_BILLING: own,
      SEAMS_MODULES: 'billing',
      SEAMS_REMOTE_OPERATIONS: 'http://127.0.0.1:9',
      SEAMS_SERVICE_TOKEN: 'a-service-token-for-the-test',
    });
    t.is(run.code, 0, run.stderr);
    t.regex(run.stderr, new RegExp(`^billing: PostgreSQL ${own.replace(/[.?]/g, '\\$&')} \\(DATABASE_URL_BILLING\\)$`, 'm'));
    t.regex(run.stderr, /^billing: running \d+ pending migrations/m);
    t.notRegex(run.stderr, /operations/);
    t.deepEqual(await schemas(connect(t, main)), ['platform']);
    t.deepEqual(await schemas(connect(t, own)), ['billing']);
  });

  test("[postgres] start-up waits for the migration lock of each module's database, and takes it once for a database reached by two URLs", async (t) => {
    const main = await freshPostgres(t);
    const own = await newDatabase();
    const holder = connect(t, own);
    await holder.raw(`SELECT pg_advisory_lock(hashtext('seams.migrate'))`);
    // DATABASE_URL_OPERATIONS is DATABASE_URL written another way: one database, one lock to take.
    const alias = new URL(main);
    alias.protocol = 'postgresql:';
    const starting = createApp(
      loadConfig({
        DATABASE_URL: main,
        DATABASE_URL_OPERATIONS: alias.toString(),
        DATABASE_URL_BILLING: own,
        LOG_LEVEL: 'silent',
        SEAMS_DB_POOL_MAX: '2',
      }),
    );
    let started = false;
    void starting.then(
      () => (started = true),
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    t.false(started, "Billing's database is locked by another instance");
    t.deepEqual(await schemas(holder), [], 'nothing made there while locked');

    await holder.raw(`SELECT pg_advisory_unlock(hashtext('seams.migrate'))`);
    const app = await starting;
    t.teardown(() => app.close());
    t.deepEqual(await schemas(holder), ['billing']);
  });

  test('[postgres] db roles gives Billing a login on its own server; with the printed settings it connects there as itself, and a second run leaves them', async (t) => {
    const main = await freshPostgres(t);
    const own = await newDatabase();
    const settings = { DATABASE_URL: main, DATABASE_URL_BILLING: own, SEAMS_DATA_DIR: tempDir(t) };
    const roles = await cli(['db', 'roles'], settings);
    t.is(roles.code, 0, roles.stderr);
    const urls = Object.fromEntries([...roles.stdout.matchAll(/^(DATABASE_URL_[A-Z]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    t.deepEqual(Object.keys(urls).sort(), ['DATABASE_URL_BILLING', 'DATABASE_URL_OPERATIONS', 'DATABASE_URL_PLATFORM']);
    t.is(new URL(urls.DATABASE_URL_BILLING!).host, new URL(own).host);
    t.is(new URL(urls.DATABASE_URL_OPERATIONS!).host, new URL(main).host);

    const app = await createApp(loadConfig({ ...settings, ...urls, LOG_LEVEL: 'silent', SEAMS_DB_POOL_MAX: '2' }));
    t.teardown(() => app.close());
    const billing = app.databases.get('billing')!;
    t.deepEqual((await billing.knex.raw(`SELECT inet_server_port() AS port, current_user AS who`)).rows[0], {
      port: Number(new URL(own).port),
      who: 'seams_billing',
    });
    t.is(billing.role, null, 'no SET ROLE: the login is the role');

    const again = await cli(['db', 'roles'], { ...settings, ...urls });
    t.is(again.code, 0, again.stderr);
    t.is(again.stdout, '');
    t.regex(again.stderr, /^billing connects as its own role already \(DATABASE_URL_BILLING\): left as it is$/m);
  });
}
