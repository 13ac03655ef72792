import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { createApp } from '../../src/app.ts';
import { DeliveryUnavailable } from '../../src/platform/events/dispatcher.ts';
import { remoteModule } from '../../src/platform/remote/client.ts';
import { DomainError, type Facade } from '../../src/kernel/index.ts';
import { dialects, testConfig } from '../helpers/databases.ts';
import { bootSplit, SERVICE_TOKEN } from '../helpers/split.ts';
import { waitUntil } from '../helpers/wait.ts';
import { notesContract } from '../fixtures/modules/notes/contract.ts';
import { noteServiceOf, notesModule } from '../fixtures/modules/notes/index.ts';
import { tallyModule } from '../fixtures/modules/tally/index.ts';

const modules = [notesModule, tallyModule];
const remoteNotesOf = (app: { modules: { definition: { name: string }; container: { cradle: object } }[] }) =>
  (app.modules.find((m) => m.definition.name === 'tally')!.container.cradle as { notesFacade: Facade<typeof notesContract> }).notesFacade;

for (const dialect of dialects) {
  test(`[${dialect}] split in two processes: facade calls cross over HTTP with the same answers and the same domain errors`, async (t) => {
    const [notesNode, tallyNode] = await bootSplit(t, dialect, [['notes'], ['tally']], { modules });
    const note = await noteServiceOf(notesNode!.app).write('split', 'hello');
    const remote = remoteNotesOf(tallyNode!.app);
    t.deepEqual(await remote.notesByIds({ ids: [note.id, 'note_x'] }), [note]);
    t.deepEqual(await remote.noteById({ id: note.id }), note);
    const error = await t.throwsAsync(remote.noteById({ id: 'note_missing' }));
    t.true(error instanceof DomainError);
    t.like(error, { code: 'NOTES.NOTE_NOT_FOUND', kind: 'not_found', message: 'No note note_missing' });
    await t.throwsAsync(remote.notesByIds({ ids: 42 } as never), { message: /must be array/ }, 'validated before it leaves');
  });

  test(`[${dialect}] split in two processes: events reach the remote module's inbox over HTTP, each effect once`, async (t) => {
    const [notesNode, tallyNode] = await bootSplit(t, dialect, [['notes'], ['tally']], { modules });
    const notes = noteServiceOf(notesNode!.app);
    for (const text of ['1', '2', '3']) await notes.write('remote', text);
    const tally = tallyNode!.app.databases.get('tally')!.knex;
    const row = await waitUntil(
      async () => {
        const r = await tally('tallies').where({ topic: 'remote' }).first();
        return r?.count === 3 && r;
      },
      10_000,
      'remote delivery',
    );
    t.is(row.texts, '1,2,3');
    // Redeliver everything: the remote inbox skips it.
    const outbox = notesNode!.app.databases.get('notes')!.knex;
    await waitUntil(async () => (await outbox('outbox').whereNot({ status: 'delivered' })).length === 0);
    await outbox('outbox').update({ status: 'pending' });
    notesNode!.app.dispatcher.wake();
    await waitUntil(async () => (await outbox('outbox').whereNot({ status: 'delivered' })).length === 0);
    t.is((await tally('tallies').where({ topic: 'remote' }).first()).count, 3);
    t.false(notesNode!.app.databases.has('tally'), 'the notes process has no tally database');
  });
}

test('internal routes open to the service token only', async (t) => {
  const [notesNode] = await bootSplit(t, 'sqlite', [['notes'], ['tally']], { modules });
  const call = (token: string | null) => notesNode!.request('POST', '/internal/notes/notesByIds', { token, body: { ids: [] } });
  const none = await call(null);
  t.is(none.status, 401);
  t.is(none.headers.get('www-authenticate'), 'Bearer');
  t.is((await call(await notesNode!.token('ops'))).status, 403);
  t.is((await call(await notesNode!.token('admin'))).status, 403, 'not even admin');
  t.is((await call('bootstrap-token-for-tests-0123456789')).status, 403);
  const ok = await call(SERVICE_TOKEN);
  t.is(ok.status, 200);
  t.deepEqual(ok.body, []);
  const bad = await notesNode!.request('POST', '/internal/notes/notesByIds', { token: SERVICE_TOKEN, body: { ids: 'x' } });
  t.is(bad.status, 422);
  t.like(bad.body, { code: 'VALIDATION_FAILED', kind: 'validation' });
  t.is((await notesNode!.request('POST', '/internal/notes/dropTables', { token: SERVICE_TOKEN, body: {} })).status, 404);
  t.is((await notesNode!.request('POST', '/internal/tally/notesByIds', { token: SERVICE_TOKEN, body: {} })).status, 404);
});

test('start-up refuses topologies that cannot work, naming the fix', async (t) => {
  const refuse = async (env: Record<string, string>, pattern: RegExp) => {
    const config = await testConfig(t, 'sqlite', env);
    const error = await t.throwsAsync(createApp(config, { modules }));
    t.regex(error!.message, pattern);
  };
  await refuse(
    { SEAMS_MODULES: 'notes' },
    /module "tally" handles notes.NoteCreated, published here, but runs neither here nor remotely \(SEAMS_REMOTE_TALLY\), and no broker carries events \(SEAMS_BROKER_URL\)/,
  );
  await refuse({ SEAMS_MODULES: 'tally' }, /needs the notes facade, but module "notes" is neither run here/);
  await refuse({ SEAMS_MODULES: 'notes', SEAMS_REMOTE_TALLY: 'http://127.0.0.1:9' }, /SEAMS_SERVICE_TOKEN is required/);
  await refuse(
    { SEAMS_MODULES: 'notes', SEAMS_REMOTE_NOTES: 'http://127.0.0.1:9', SEAMS_SERVICE_TOKEN: SERVICE_TOKEN },
    /both local \(SEAMS_MODULES\) and remote/,
  );
  // A misspelt module database would leave the module on DATABASE_URL without a word.
  await refuse(
    { DATABASE_URL: 'postgres://127.0.0.1:9/x', DATABASE_URL_NOTE: 'postgres://127.0.0.1:9/y' },
    /DATABASE_URL_NOTE names an unknown module \(known: notes, tally, platform\)/,
  );
});

test('a remote that does not answer fails the call after retries of an idempotent read, as the kernel error MODULE_UNAVAILABLE', async (t) => {
  const config = await testConfig(t, 'sqlite', {
    SEAMS_MODULES: 'tally',
    SEAMS_REMOTE_NOTES: 'http://127.0.0.1:9',
    SEAMS_SERVICE_TOKEN: SERVICE_TOKEN,
  });
  const app = await createApp(config, { modules });
  t.teardown(() => app.close());
  const error = await t.throwsAsync(remoteNotesOf(app).notesByIds({ ids: [] }), { message: /notes does not answer: .*unreachable/ });
  t.true(error instanceof DomainError);
  t.like(error, { code: 'MODULE_UNAVAILABLE', kind: 'unavailable' });
});

test('delivering an event to a remote: refused at the door (502/503, no connection) is an outage, a failing handler (500) is an attempt', async (t) => {
  let status = 503;
  const server = http.createServer((_req, res) =>
    res.writeHead(status, { 'content-type': 'application/problem+json' }).end('{"code":"X","kind":"internal"}'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(() => resolve(undefined))));
  const remote = remoteModule(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, SERVICE_TOKEN);
  t.teardown(() => remote.close());
  const event = { id: 'evt_1', name: 'notes.NoteCreated', version: 1, aggregateId: 'a', occurredAt: new Date().toISOString(), payload: {} };
  const deliver = () => remote.deliverEvent('tally', 'tally.countNote', event);

  for (const answer of [503, 502]) {
    status = answer;
    const error = await t.throwsAsync(deliver(), { instanceOf: DeliveryUnavailable });
    t.is(error!.module, 'tally', `${answer}: only that module is out of reach`);
  }
  status = 500;
  const failed = await t.throwsAsync(deliver());
  t.false(failed instanceof DeliveryUnavailable, 'the handler ran and failed: an attempt');
  const nobody = remoteModule('http://127.0.0.1:9', SERVICE_TOKEN);
  t.teardown(() => nobody.close());
  await t.throwsAsync(nobody.deliverEvent('tally', 'tally.countNote', event), { instanceOf: DeliveryUnavailable, message: /ECONNREFUSED/ });
});
