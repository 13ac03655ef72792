import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { boot } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { noteServiceOf, notesModule } from '../fixtures/modules/notes/index.ts';
import { failingTopics, tallyModule } from '../fixtures/modules/tally/index.ts';

const modules = [notesModule, tallyModule];

for (const dialect of dialects) {
  test(`[${dialect}] a rolled-back change leaves neither its row nor its event`, async (t) => {
    const api = await boot(t, dialect, { modules, start: false });
    const notes = noteServiceOf(api.app);
    await t.throwsAsync(notes.write('topic', 'text', { failAfterWrite: true }), { message: 'failed after writing' });
    const knex = api.app.databases.get('notes')!.knex;
    t.is((await knex('notes').select()).length, 0);
    t.is((await knex('outbox').select()).length, 0);
    await notes.write('topic', 'kept');
    t.is((await knex('outbox').select()).length, 1, 'a committed change has its event');
  });

  test(`[${dialect}] a committed event wakes the dispatcher: delivered at once, not at the next poll`, async (t) => {
    // The poll period is 30 s: only the wake-up on commit can deliver within the wait below.
    const api = await boot(t, dialect, { modules, dispatcher: { options: { idlePollMs: 30_000 } } });
    await new Promise((r) => setTimeout(r, 100)); // let the dispatcher go idle
    const token = await api.token('ops');
    await api.post('/v1/notes', { topic: 'fast', text: 'hello' }, token); // answered once committed
    const committed = Date.now();
    const tally = api.app.databases.get('tally')!.knex;
    const row = await waitUntil(() => tally('tallies').where({ topic: 'fast' }).first(), 10_000, 'the tally');
    const elapsed = Date.now() - committed;
    t.like(row, { count: 1, texts: 'hello' });
    t.true(elapsed < 2_000, `handled ${elapsed} ms after the commit; the next poll was 30 s away`);
  });

  test(`[${dialect}] events of one aggregate are handled in order; each effect once`, async (t) => {
    const api = await boot(t, dialect, { modules, start: false });
    const notes = noteServiceOf(api.app);
    for (let i = 1; i <= 30; i++) await notes.write(`topic-${i % 3}`, String(i));
    const outbox = api.app.databases.get('notes')!.knex;
    const allDelivered = async () => (await outbox('outbox').whereNot({ status: 'delivered' })).length === 0;
    api.app.start();
    await waitUntil(allDelivered, 10_000, 'delivery');
    // Deliver some events a second time: the redelivery must change nothing.
    t.is(await outbox('outbox').where('seq', '<=', 5).update({ status: 'pending' }), 5);
    api.app.dispatcher.wake();
    await waitUntil(allDelivered, 10_000, 'redelivery');
    const tally = api.app.databases.get('tally')!.knex;
    const rows = await tally('tallies').orderBy('topic');
    for (const row of rows) {
      const numbers = row.texts.split(',').map(Number);
      t.deepEqual(
        numbers,
        [...numbers].sort((a, b) => a - b),
        `${row.topic} handled in order`,
      );
      t.is(row.count, 10);
    }
    t.is((await tally('inbox').select()).length, 30);
  });
}

for (const dialect of dialects) {
  test(`[${dialect}] delivered events are pruned after the retention period; undelivered ones never are`, async (t) => {
    let now = Date.parse('2026-03-01T00:00:00.000Z');
    const api = await boot(t, dialect, {
      modules,
      start: false,
      clock: { now: () => new Date(now) },
      dispatcher: { options: { retentionMs: 60_000 } },
    });
    const notes = noteServiceOf(api.app);
    await notes.write('a', 'delivered');
    await api.app.dispatcher.runOnce();
    failingTopics.add(`stuck-${dialect}`);
    t.teardown(() => failingTopics.delete(`stuck-${dialect}`));
    await notes.write(`stuck-${dialect}`, 'pending');
    await api.app.dispatcher.runOnce();
    const outbox = api.app.databases.get('notes')!.knex;
    now += 59_000;
    t.is(await api.app.dispatcher.prune(), 0, 'kept within the retention period');
    now += 2_000;
    t.is(await api.app.dispatcher.prune(), 1);
    t.deepEqual(
      (await outbox('outbox').select('status')).map((r) => r.status),
      ['pending'],
    );
  });
}
