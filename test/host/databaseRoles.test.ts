import test from 'ava';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { spawnTs } from '../helpers/child.ts';
import { dialects, freshPostgres, tempDir } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { noteServiceOf, notesModule } from '../fixtures/modules/notes/index.ts';
import { tallyModule } from '../fixtures/modules/tally/index.ts';

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
    await waitUntil(() => tally('tallies').where({ topic: 'roles' }).first(), 5_000, 'the event');
    t.pass();
  });
}
