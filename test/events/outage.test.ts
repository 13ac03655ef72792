/**
 * A subscriber's process that is down is an outage, not a failing handler:
 * its events wait in the outbox without counting attempts (so an outage longer
 * than the retry budget dead-letters nothing), and flow once it is back.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { createApp } from '../../src/app.ts';
import { dialects } from '../helpers/databases.ts';
import { nodeConfig, splitStore } from '../helpers/split.ts';
import { waitUntil } from '../helpers/wait.ts';
import { noteServiceOf, notesModule } from '../fixtures/modules/notes/index.ts';
import { tallyModule } from '../fixtures/modules/tally/index.ts';

const modules = [notesModule, tallyModule];

async function listen(handler: http.RequestListener | undefined, port = 0): Promise<http.Server> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

async function shut(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

for (const dialect of dialects) {
  test(`[${dialect}] the subscriber's process down: events held without counting attempts, delivered in order once it answers`, async (t) => {
    const store = await splitStore(t, dialect);
    // A port with nothing behind it yet: the tally process comes up there later.
    const placeholder = await listen(undefined);
    const tallyPort = (placeholder.address() as AddressInfo).port;
    await shut(placeholder);

    const notesServer = await listen(undefined);
    const notesUrl = `http://127.0.0.1:${(notesServer.address() as AddressInfo).port}`;
    const notesApp = await createApp(nodeConfig(store, ['notes'], { SEAMS_REMOTE_TALLY: `http://127.0.0.1:${tallyPort}` }), {
      modules,
      // One attempt only: were the outage counted, the first refused connection would dead-letter the event.
      dispatcher: { options: { maxAttempts: 1, unavailableRetryMs: 50, idlePollMs: 100 } },
    });
    notesServer.on('request', notesApp.callback());
    notesApp.start();
    t.teardown(async () => {
      await shut(notesServer);
      await notesApp.close();
    });

    const notes = noteServiceOf(notesApp);
    for (const text of ['1', '2', '3']) await notes.write('outage', text);
    const outbox = notesApp.databases.get('notes')!.knex;
    // One aggregate: the first in line is tried, the others wait behind it.
    await waitUntil(async () => (await outbox('outbox').orderBy('seq').first()).last_error, 10_000, 'a first try');
    await new Promise((r) => setTimeout(r, 500)); // several more tries, 50 ms apart
    await notesApp.dispatcher.stop(); // not caught in the middle of a try
    const held = await outbox('outbox').orderBy('seq');
    t.deepEqual(
      held.map((row) => [row.status, row.attempts]),
      Array(3).fill(['pending', 0]),
      'held, none dead-lettered',
    );
    t.regex(held[0].last_error, /unreachable: .*ECONNREFUSED/);

    const tallyApp = await createApp(nodeConfig(store, ['tally'], { SEAMS_REMOTE_NOTES: notesUrl }), { modules });
    const tallyServer = await listen(tallyApp.callback(), tallyPort);
    tallyApp.start();
    notesApp.dispatcher.start();
    t.teardown(async () => {
      await shut(tallyServer);
      await tallyApp.close();
    });
    const tally = tallyApp.databases.get('tally')!.knex;
    const row = await waitUntil(
      async () => {
        const r = await tally('tallies').where({ topic: 'outage' }).first();
        return r?.count === 3 && r;
      },
      10_000,
      'delivery once the subscriber answers',
    );
    t.is(row.texts, '1,2,3', 'in order');
    await waitUntil(async () => (await outbox('outbox').whereNot({ status: 'delivered' })).length === 0, 10_000, 'the outbox marked');
    t.deepEqual(
      (await outbox('outbox')).map((r) => r.attempts),
      [1, 1, 1],
      'one attempt each: the one that reached the handler',
    );
  });
}
