import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { databaseEnv, spawnTs } from '../helpers/child.ts';
import { boot } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { failingTopics, refusals, tallyModule } from '../fixtures/modules/tally/index.ts';
import { noteServiceOf, notesModule } from '../fixtures/modules/notes/index.ts';

for (const dialect of dialects) {
  test.serial(
    `[${dialect}] a failing handler backs off, dead-letters after N tries without blocking others; a CLI retry delivers it once fixed`,
    async (t) => {
      const api = await boot(t, dialect, {
        modules: [notesModule, tallyModule],
        dispatcher: {
          // A long poll period: retries must be scheduled by their due time, not by polling.
          options: { maxAttempts: 4, baseDelayMs: 40, idlePollMs: 30_000 },
        },
      });
      const notes = noteServiceOf(api.app);
      const outbox = api.app.databases.get('notes')!.knex;
      const tally = api.app.databases.get('tally')!.knex;
      failingTopics.add(`poison-${dialect}`);
      t.teardown(() => failingTopics.delete(`poison-${dialect}`));

      refusals.length = 0;
      await notes.write(`poison-${dialect}`, 'first');
      const dead = await waitUntil(() => outbox('outbox').where({ status: 'dead' }).first(), 10_000, 'the dead letter');
      t.is(dead.attempts, 4);
      // Exponential backoff with jitter: waits of 20–40, 40–80, then 80–160 ms. No retry comes before its wait
      // (a busy machine only makes retries later, so the lower bounds are what is checked; 5 ms for timer slack).
      const gaps = refusals.slice(1).map((at, i) => at - refusals[i]!);
      t.is(gaps.length, 3);
      t.true(gaps[0]! >= 15 && gaps[1]! >= 35 && gaps[2]! >= 75, `gaps ${gaps.join(', ')} ms`);
      t.regex(dead.last_error, /tally refuses topic poison/);

      // Other aggregates keep flowing; the poisoned aggregate's later event waits behind its dead letter.
      await notes.write('healthy', 'a');
      await notes.write(`poison-${dialect}`, 'second');
      await waitUntil(() => tally('tallies').where({ topic: 'healthy' }).first(), 5_000, 'the healthy event');
      t.is(
        await tally('tallies')
          .where({ topic: `poison-${dialect}` })
          .first(),
        undefined,
      );
      const waiting = await outbox('outbox').where({ status: 'pending' });
      t.is(waiting.length, 1);
      t.is(waiting[0].attempts, 0, 'held back, not retried, while an earlier event of its aggregate is dead');

      const list = spawnTs('test/fixtures/cli.ts', ['events', 'list', '--status', 'dead'], databaseEnv(api.app.config));
      await list.exited;
      t.regex(list.output(), /notes: 1 pending, 0 in flight, 1 dead/);
      t.regex(list.output(), new RegExp(`${dead.event_id} notes.NoteCreated → tally.countNote`));

      failingTopics.delete(`poison-${dialect}`);
      const retry = spawnTs('test/fixtures/cli.ts', ['events', 'retry', dead.event_id], databaseEnv(api.app.config));
      t.is((await retry.exited).code, 0, retry.output());
      api.app.dispatcher.wake();
      const row = await waitUntil(
        async () => {
          const r = await tally('tallies')
            .where({ topic: `poison-${dialect}` })
            .first();
          return r?.count === 2 && r;
        },
        10_000,
        'the retried events',
      );
      t.is(row.texts, 'first,second', 'still in order');
      await waitUntil(async () => (await outbox('outbox').whereNot({ status: 'delivered' })).length === 0);
      t.is((await tally('inbox').select()).length, 3);
    },
  );
}
