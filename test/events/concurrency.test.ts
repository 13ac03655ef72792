import test from 'ava';
import { dialects, testConfig } from '../helpers/databases.ts';
import { databaseEnv, spawnTs } from '../helpers/child.ts';
import { createApp } from '../../src/app.ts';
import { noteServiceOf, notesModule } from '../fixtures/modules/notes/index.ts';
import { tallyModule } from '../fixtures/modules/tally/index.ts';

const EVENTS = 1_000;
const TOPICS = 25;

for (const dialect of dialects) {
  test(`[${dialect}] two dispatcher processes over ${EVENTS} events: each delivered once, per-aggregate order kept`, async (t) => {
    const config = await testConfig(t, dialect);
    const seed = await createApp(config, { modules: [notesModule, tallyModule] });
    const notes = noteServiceOf(seed);
    for (let i = 0; i < EVENTS; i++) await notes.write(`topic-${i % TOPICS}`, String(i));
    await seed.close();

    const children = [0, 1].map(() => spawnTs('test/fixtures/eventsChild.ts', [], { ...databaseEnv(config), MODE: 'dispatch' }));
    await Promise.all(children.map((c) => c.waitFor('ready')));
    for (const child of children) child.process.stdin!.write('go\n');
    const started = Date.now();
    await Promise.all(children.map((c) => c.waitFor('delivered', 120_000)));
    const counts = children.map((c) => Number(/delivered (\d+)/.exec(c.output())![1]));
    t.log(`deliveries per process: ${counts.join(' + ')} in ${Date.now() - started} ms`);

    const app = await createApp(config, { modules: [notesModule, tallyModule] });
    t.teardown(() => app.close());
    const outbox = await app.databases.get('notes')!.knex('outbox').select('attempts', 'status');
    t.is(outbox.length, EVENTS);
    t.true(
      outbox.every((r) => r.status === 'delivered' && r.attempts === 1),
      'every event claimed exactly once',
    );
    t.is(counts[0]! + counts[1]!, EVENTS);
    t.true(
      counts.every((n) => n > 0),
      'both processes delivered',
    );
    const tallies = await app.databases.get('tally')!.knex('tallies').select();
    t.is(tallies.length, TOPICS);
    for (const row of tallies) {
      const numbers = row.texts.split(',').map(Number);
      t.is(row.count, EVENTS / TOPICS);
      t.deepEqual(
        numbers,
        [...numbers].sort((a, b) => a - b),
        `${row.topic} in order`,
      );
    }
  });
}
