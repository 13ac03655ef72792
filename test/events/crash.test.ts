import test from 'ava';
import { dialects, testConfig } from '../helpers/databases.ts';
import { databaseEnv, spawnTs } from '../helpers/child.ts';
import { waitUntil } from '../helpers/wait.ts';
import { createApp } from '../../src/app.ts';
import { noteServiceOf, notesModule } from '../fixtures/modules/notes/index.ts';
import { tallyModule } from '../fixtures/modules/tally/index.ts';

const CHILD = 'test/fixtures/eventsChild.ts';

async function openApp(t: Parameters<typeof testConfig>[0], config: Awaited<ReturnType<typeof testConfig>>) {
  const app = await createApp(config, { modules: [notesModule, tallyModule], dispatcher: { options: { idlePollMs: 50 } } });
  t.teardown(() => app.close());
  return app;
}

for (const dialect of dialects) {
  test(`[${dialect}] killed (SIGKILL) after commit, before delivery: delivered after restart, each effect once`, async (t) => {
    const config = await testConfig(t, dialect);
    const writer = spawnTs(CHILD, [], { ...databaseEnv(config), MODE: 'write-then-die' });
    await writer.waitFor('committed');
    t.is((await writer.exited).signal, 'SIGKILL');

    const app = await openApp(t, config);
    const outbox = app.databases.get('notes')!.knex('outbox');
    t.is((await outbox.clone().where({ status: 'pending' })).length, 3, 'the events survived the crash');
    app.start();
    const tally = app.databases.get('tally')!.knex;
    const row = await waitUntil(() => tally('tallies').where({ topic: 'crash' }).first(), 10_000, 'delivery');
    await waitUntil(async () => (await outbox.clone().whereNot({ status: 'delivered' })).length === 0);
    t.is(row.count >= 1, true);
    const final = await tally('tallies').where({ topic: 'crash' }).first();
    t.is(final.count, 3);
    t.is(final.texts, 'one,two,three');
  });

  test(`[${dialect}] killed after the handler's effect, before the outbox marks delivery: redelivered, inbox skips it, effect once`, async (t) => {
    const config = await testConfig(t, dialect);
    // Seed one event without delivering it.
    const seed = await openApp(t, config);
    await noteServiceOf(seed).write('once', 'only');
    await seed.close();

    const dispatcher = spawnTs(CHILD, [], { ...databaseEnv(config), MODE: 'deliver-then-die' });
    t.is((await dispatcher.exited).signal, 'SIGKILL');

    const app = await openApp(t, config);
    const notesDb = app.databases.get('notes')!.knex;
    const tally = app.databases.get('tally')!.knex;
    t.is((await tally('tallies').where({ topic: 'once' }).first()).count, 1, 'the effect committed before the crash');
    t.is((await notesDb('outbox').first()).status, 'in_flight', 'but the outbox never heard of it');

    // Abandoned claims are retried once their claim times out: make it time out now.
    await notesDb('outbox').update({ claimed_until: '2000-01-01T00:00:00.000Z' });
    app.start();
    await waitUntil(async () => (await notesDb('outbox').first()).status === 'delivered', 10_000, 'redelivery');
    const row = await notesDb('outbox').first();
    t.is(row.attempts, 2, 'delivered a second time');
    t.is((await tally('tallies').where({ topic: 'once' }).first()).count, 1, 'the inbox skipped the repeat');
  });
}
