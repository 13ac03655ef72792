import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { asFunction } from 'awilix';
import { createApp } from '../../src/app.ts';
import { defineModule, type Facade } from '../../src/kernel/index.ts';
import { modules as moduleList } from '../../src/modules.ts';
import { ModuleWallError } from '../../src/platform/container.ts';
import { dialects, tempDir, testConfig } from '../helpers/databases.ts';
import { boot } from '../helpers/server.ts';
import { loadConfig } from '../../src/config.ts';
import { spawnTs } from '../helpers/child.ts';
import { freshPostgres } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { noteServiceOf } from '../fixtures/modules/notes/index.ts';

import { notesContract } from '../fixtures/modules/notes/contract.ts';
import { notesModule } from '../fixtures/modules/notes/index.ts';
import { tallyModule } from '../fixtures/modules/tally/index.ts';

const emptyMigrations = (t: Parameters<typeof tempDir>[0]) => tempDir(t, 'seams-migrations-');

for (const dialect of dialects) {
  test(`[${dialect}] a third module is one folder plus one line in the module list`, async (t) => {
    const api = await boot(t, dialect, { modules: [...moduleList, notesModule] });
    const note = await api.post('/v1/notes', { topic: 't', text: 'hello' }, await api.token('ops'));
    t.is(note.status, 201);
    t.is((await api.get(`/v1/notes/${note.body.id}`)).body.text, 'hello');
    const facade = api.app.facades.resolve<Facade<typeof notesContract>>('notesFacade');
    t.deepEqual(await facade.notesByIds({ ids: [note.body.id, 'note_unknown'] }), [note.body]);
  });

  test(`[${dialect}] facade calls are validated against the contract`, async (t) => {
    const api = await boot(t, dialect, { modules: [notesModule] });
    const facade = api.app.facades.resolve<Facade<typeof notesContract>>('notesFacade');
    const error = await t.throwsAsync(facade.notesByIds({ ids: 'x' } as never));
    t.like(error, { code: 'VALIDATION_FAILED', kind: 'validation' });
  });

  test(`[${dialect}] a module's database cannot read another module's tables`, async (t) => {
    const api = await boot(t, dialect, { modules: [notesModule, tallyModule] });
    const tally = api.app.databases.get('tally')!.knex;
    const notes = api.app.databases.get('notes')!.knex;
    await notes('notes').insert({ id: 'n1', topic: 'a', text: 'b' });
    t.is((await notes('notes').select('id')).length, 1);
    await t.throwsAsync(tally('notes').select('*'), { any: true, message: /no such table|does not exist/ });
    if (dialect === 'postgres') {
      // Even naming the schema is refused: the module's role has no rights there.
      await t.throwsAsync(tally.raw('select * from notes.notes'), { message: /permission denied/ });
      await t.throwsAsync(notes.raw('select * from tally.tallies'), { message: /permission denied/ });
      await t.throwsAsync(notes.raw('select * from platform.tokens'), { message: /permission denied/ });
    } else {
      // Each module has its own file: the other module's tables do not exist on this connection.
      const tables = (await tally.raw(`select name from sqlite_master where type = 'table'`)).map((r: { name: string }) => r.name);
      t.true(tables.includes('tallies'));
      t.false(tables.includes('notes'));
      t.false(tables.includes('tokens'));
    }
  });

  test(`[${dialect}] /ready turns 503 while a module has a pending migration`, async (t) => {
    const folder = emptyMigrations(t);
    fs.writeFileSync(
      path.join(folder, '001_first.ts'),
      `export async function up(k) { await k.schema.createTable('a', (t) => t.integer('x')); }\nexport async function down() {}\n`,
    );
    const scratch = defineModule({ name: 'scratch', migrations: folder, register() {} });
    const api = await boot(t, dialect, { modules: [scratch] });
    t.is((await api.get('/ready', null)).status, 200);
    fs.writeFileSync(path.join(folder, '002_second.ts'), `export async function up() {}\nexport async function down() {}\n`);
    const ready = await api.get('/ready', null);
    t.is(ready.status, 503);
    t.is(ready.body.checks.scratch, 'pending migrations: 002_second.ts');
  });
}

test("a module that resolves another module's internal fails at start, naming the door to use", async (t) => {
  const snoop = defineModule<{ snooper: unknown }>({
    name: 'snoop',
    migrations: emptyMigrations(t),
    register(container) {
      container.register({ snooper: asFunction(({ noteService }: { noteService: unknown }) => ({ noteService })).singleton() });
    },
    facade: ({ snooper }) => ({ snooper }),
    provides: { module: 'snoop', methods: {}, events: {} },
  });
  const config = await testConfig(t, 'sqlite');
  const error = await t.throwsAsync(createApp(config, { modules: [notesModule, snoop] }));
  t.true(error instanceof ModuleWallError);
  t.regex(error!.message, /Module "snoop" resolved "noteService", which is internal to module "notes"/);
  t.regex(error!.message, /notesFacade \(modules\/notes\/contract\.ts\)/);
});

test('start-up refuses a module whose needed facade is neither local nor remote', async (t) => {
  const config = await testConfig(t, 'sqlite');
  const error = await t.throwsAsync(createApp(config, { modules: [tallyModule] }));
  t.regex(
    error!.message,
    /needs the notes facade, but module "notes" is neither run here \(SEAMS_MODULES\) nor configured as remote \(SEAMS_REMOTE_NOTES/,
  );
});

test('SEAMS_MODULES must name known modules', async (t) => {
  const config = await testConfig(t, 'sqlite', { SEAMS_MODULES: 'notes,bogus' });
  const error = await t.throwsAsync(createApp(config, { modules: [notesModule] }));
  t.regex(error!.message, /SEAMS_MODULES names unknown module "bogus"/);
});

// The role wall with a login per module exists on PostgreSQL only.
if (dialects.includes('postgres')) {
  test('[postgres] db:roles gives each module a login of its own: it connects as itself and is refused every other schema', async (t) => {
    const databaseUrl = await freshPostgres(t);
    const cli = spawnTs('test/fixtures/cli.ts', ['db', 'roles'], { DATABASE_URL: databaseUrl, SEAMS_DATA_DIR: tempDir(t) });
    t.is((await cli.exited).code, 0, cli.output());
    const urls = Object.fromEntries([...cli.output().matchAll(/^(DATABASE_URL_[A-Z]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    t.deepEqual(Object.keys(urls).sort(), ['DATABASE_URL_NOTES', 'DATABASE_URL_PLATFORM', 'DATABASE_URL_TALLY']);

    const app = await createApp(loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', SEAMS_DB_POOL_MAX: '2', ...urls }), {
      modules: [notesModule, tallyModule],
    });
    t.teardown(() => app.close());
    const tally = app.databases.get('tally')!.knex;
    const notes = app.databases.get('notes')!.knex;
    t.is((await tally.raw('select current_user as who')).rows[0].who, 'seams_tally');
    t.is(app.databases.get('tally')!.role, null, 'no SET ROLE: the login is the role');
    await t.throwsAsync(tally.raw('select * from notes.notes'), { message: /permission denied for schema notes/ });
    await t.throwsAsync(notes.raw('select * from tally.tallies'), { message: /permission denied for schema tally/ });
    await t.throwsAsync(notes.raw('select * from platform.tokens'), { message: /permission denied for schema platform/ });

    app.start();
    await noteServiceOf(app).write('roles', 'works');
    const tallied = await waitUntil(() => tally('tallies').where({ topic: 'roles' }).first(), 5_000, 'the event');
    t.like(tallied, { count: 1, texts: 'works' }, 'the note reached tally, each module on its own login');
  });
}
