/**
 * Events through the live RabbitMQ (SEAMS_BROKER_URL). Every test has its own
 * exchange and queues. The broker outage is a cut link between one app and the
 * broker (test/helpers/brokerLink.ts): the broker itself, which every test
 * process shares, is never stopped.
 */
import test from 'ava';
import type { Knex } from 'knex';
import { dialects, testConfig } from '../helpers/databases.ts';
import { brokerEnv, queueDepth } from '../helpers/broker.ts';
import { brokerLink } from '../helpers/brokerLink.ts';
import { databaseEnv, spawnTs } from '../helpers/child.ts';
import { boot } from '../helpers/server.ts';
import { bootSplit } from '../helpers/split.ts';
import { waitUntil } from '../helpers/wait.ts';
import { createApp } from '../../src/app.ts';
import type { EventEnvelope } from '../../src/kernel/index.ts';
import { noteServiceOf, notesModule } from '../fixtures/modules/notes/index.ts';
import { failingTopics, refusedTopics, tallyModule } from '../fixtures/modules/tally/index.ts';

const modules = [notesModule, tallyModule];
// Fast retries in tests: the outbox retries a publish within 0.1–1 s, the consumer reconnects every 200 ms.
const fast = {
  dispatcher: { options: { baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 1_000, idlePollMs: 200 } },
  broker: { reconnectMs: 200, retryDelayMs: 20 },
};
const undelivered = async (knex: Knex) => (await knex('outbox').whereNot({ status: 'delivered' })).length;

for (const dialect of dialects) {
  test(`[${dialect}] the broker gone mid-run: events written meanwhile wait in the outbox and are each handled once when it returns`, async (t) => {
    t.timeout(120_000);
    // One attempt only: an outage of the broker is no attempt, so nothing may be dead-lettered meanwhile.
    const dispatcher = { options: { ...fast.dispatcher.options, maxAttempts: 1, unavailableRetryMs: 100 } };
    const link = await brokerLink(t);
    const env = { ...brokerEnv(t, ['tally']), SEAMS_BROKER_URL: link.url };
    const api = await boot(t, dialect, { modules, env, ...fast, dispatcher });
    const notes = noteServiceOf(api.app);
    const outbox = api.app.databases.get('notes')!.knex;
    const tally = api.app.databases.get('tally')!.knex;
    for (const text of ['1', '2', '3']) await notes.write('restart', text);
    await waitUntil(
      async () => (await tally('tallies').where({ topic: 'restart' }).first())?.count === 3,
      10_000,
      'delivery before the stop',
    );

    link.cut();
    await waitUntil(async () => (await api.get('/ready')).body.broker === 'disconnected', 10_000, 'the lost connection');
    t.is((await api.get('/ready')).status, 200, 'still ready: the outbox holds the events');
    for (const text of ['4', '5', '6', '7']) await notes.write('restart', text);
    // The first in line is tried again every 100 ms, in flight while it is: read the rows between two tries,
    // once a few have failed (an attempt counted would have dead-lettered it at once: maxAttempts is 1).
    const triedSince = Date.now();
    const held = await waitUntil(
      async () => {
        const rows = await outbox('outbox').whereNot({ status: 'delivered' }).orderBy('seq');
        return Date.now() - triedSince > 1_000 && rows.every((row) => row.status !== 'in_flight') && rows;
      },
      10_000,
      'the held events between two tries',
    );
    t.is(held.length, 4, 'not confirmed, so not marked delivered');
    t.deepEqual(
      held.map((row) => [row.status, row.attempts]),
      Array(4).fill(['pending', 0]),
      'held without counting attempts',
    );
    t.regex(held[0].last_error, /^broker: /, 'the first in line was tried (the others of its aggregate wait behind it)');

    const restored = Date.now();
    link.restore();
    const row = await waitUntil(
      async () => {
        const r = await tally('tallies').where({ topic: 'restart' }).first();
        return r?.count === 7 && r;
      },
      60_000,
      'delivery after the broker returned',
    );
    t.log(`broker back and every event handled ${Date.now() - restored} ms after the link was restored`);
    t.is(row.texts, '1,2,3,4,5,6,7');
    await waitUntil(async () => (await undelivered(outbox)) === 0, 10_000, 'the outbox');
    t.is((await tally('inbox').select()).length, 7);
    t.is((await api.get('/ready')).body.broker, 'connected');
  });

  test(`[${dialect}] through RabbitMQ: every event handled once, in order per aggregate, the outbox marked only after the confirm`, async (t) => {
    const api = await boot(t, dialect, { modules, env: brokerEnv(t, ['tally']), start: false });
    const notes = noteServiceOf(api.app);
    for (let i = 1; i <= 30; i++) await notes.write(`topic-${i % 3}`, String(i));
    const outbox = api.app.databases.get('notes')!.knex;
    const tally = api.app.databases.get('tally')!.knex;
    const started = Date.now();
    api.app.start();
    await waitUntil(async () => (await undelivered(outbox)) === 0, 10_000, 'the confirms');
    await waitUntil(async () => (await tally('inbox').select()).length === 30, 10_000, 'the handling');
    t.log(`30 events published, confirmed and handled in ${Date.now() - started} ms`);

    // Publish some a second time: the broker delivers them again, the inbox skips them.
    t.is(await outbox('outbox').where('seq', '<=', 5).update({ status: 'pending' }), 5);
    api.app.dispatcher.wake();
    await waitUntil(async () => (await undelivered(outbox)) === 0, 10_000, 'republishing');
    await waitUntil(async () => (await queueDepth(api.app.broker!.queueOf('tally'))) === 0, 10_000, 'the queue to drain');
    const rows = await tally('tallies').orderBy('topic');
    t.is(rows.length, 3);
    for (const row of rows) {
      const numbers = row.texts.split(',').map(Number);
      t.deepEqual(
        numbers,
        [...numbers].sort((a, b) => a - b),
        `${row.topic} handled in order`,
      );
      t.is(row.count, 10, `${row.topic} counted once each`);
    }
    t.is((await tally('inbox').select()).length, 30);
    t.like((await api.get('/ready')).body, { status: 'ready', broker: 'connected' });
  });

  test(`[${dialect}] a consumer killed (SIGKILL) after its inbox commit, before the ack: redelivered, the inbox skips it, effect once`, async (t) => {
    const config = await testConfig(t, dialect);
    const env = brokerEnv(t, ['tally']);
    const child = spawnTs('test/fixtures/brokerChild.ts', [], { ...databaseEnv(config), ...env, MODE: 'handle-then-die' });
    t.is((await child.exited).signal, 'SIGKILL', child.output());

    const handled: EventEnvelope[] = [];
    const app = await createApp(
      { ...config, brokerUrl: env.SEAMS_BROKER_URL, brokerPrefix: env.SEAMS_BROKER_PREFIX },
      {
        modules,
        broker: { afterHandle: (_subscriber, event) => void handled.push(event) },
      },
    );
    t.teardown(() => app.close());
    const tally = app.databases.get('tally')!.knex;
    t.is((await tally('tallies').where({ topic: 'killed' }).first()).count, 1, 'the effect committed before the kill');
    app.start();
    await waitUntil(async () => handled.length === 1, 10_000, 'the redelivery');
    t.is((handled[0]!.payload as { text: string }).text, 'once');
    await waitUntil(async () => (await queueDepth(app.broker!.queueOf('tally'))) === 0, 10_000, 'the ack');
    t.is((await tally('tallies').where({ topic: 'killed' }).first()).count, 1, 'the inbox skipped the redelivery');
    t.is((await tally('inbox').select()).length, 1);
  });

  test(`[${dialect}] a poison message ends in the module's dead-letter queue after the delivery limit; other events keep flowing; /metrics counts it, the CLI lists it and moves it back`, async (t) => {
    const poison = `poison-broker-${dialect}`;
    failingTopics.add(poison);
    t.teardown(() => failingTopics.delete(poison));
    const env = brokerEnv(t, ['tally']);
    const api = await boot(t, dialect, {
      modules,
      env: { ...env, LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent' },
      ...fast,
      broker: { ...fast.broker, deliveryLimit: 3 },
    });
    const notes = noteServiceOf(api.app);
    const tally = api.app.databases.get('tally')!.knex;
    await notes.write(poison, 'bad');
    for (const text of ['a', 'b', 'c']) await notes.write(`healthy-${dialect}`, text);
    const row = await waitUntil(
      async () => {
        const r = await tally('tallies')
          .where({ topic: `healthy-${dialect}` })
          .first();
        return r?.count === 3 && r;
      },
      15_000,
      'the healthy events',
    );
    t.is(row.texts, 'a,b,c');
    const dead = `${api.app.broker!.queueOf('tally')}.dead`;
    await waitUntil(async () => (await queueDepth(dead)) === 1, 10_000, 'the dead letter');
    t.is(refusedTopics.filter((topic) => topic === poison).length, 4, 'the first delivery and 3 redeliveries, then dead-lettered');
    t.is(await tally('tallies').where({ topic: poison }).first(), undefined);
    t.is(await undelivered(api.app.databases.get('notes')!.knex), 0, 'the outbox delivered it to the broker');

    // Seen by operators: /metrics, and the CLI lists the dead letter, then (the cause fixed) moves it back.
    t.regex((await api.get('/metrics', null)).text, /seams_broker_messages\{module="tally",queue="dead"\} 1\n/);
    const cli = (...args: string[]) =>
      spawnTs('test/fixtures/cli.ts', ['events', 'broker', ...args], { ...databaseEnv(api.app.config), ...env });
    const list = cli('list');
    t.is((await list.exited).code, 0, list.output());
    t.regex(list.output(), /tally: 0 queued in \S+\.tally, 1 dead in \S+\.tally\.dead/);
    t.regex(list.output(), /notes\.NoteCreated → tally\.countNote aggregate=\S+ delivery_limit ×1/);
    t.is(await queueDepth(dead), 1, 'listing leaves it there');
    failingTopics.delete(poison);
    const retry = cli('retry', 'all');
    t.is((await retry.exited).code, 0, retry.output());
    t.regex(retry.output(), /1 dead letters moved back/);
    const fixed = await waitUntil(() => tally('tallies').where({ topic: poison }).first(), 10_000, 'the moved dead letter');
    t.like(fixed, { count: 1, texts: 'bad' });
    t.is(await queueDepth(dead), 0);
  });

  test(`[${dialect}] split in two processes with a broker: events cross through RabbitMQ, each process consuming its own modules' queues`, async (t) => {
    // The publisher needs no URL of a module that only subscribes: its events wait in that module's queue.
    const env = { ...brokerEnv(t, ['tally']), SEAMS_REMOTE_TALLY: '' };
    const [notesNode, tallyNode] = await bootSplit(t, dialect, [['notes'], ['tally']], { modules, env });
    t.is(notesNode!.app.config.remotes.tally, undefined, 'no SEAMS_REMOTE_TALLY in the publisher');
    for (const text of ['1', '2', '3']) await noteServiceOf(notesNode!.app).write('split', text);
    const tally = tallyNode!.app.databases.get('tally')!.knex;
    const row = await waitUntil(
      async () => {
        const r = await tally('tallies').where({ topic: 'split' }).first();
        return r?.count === 3 && r;
      },
      10_000,
      'delivery through the broker',
    );
    t.is(row.texts, '1,2,3');
    t.is(await queueDepth(tallyNode!.app.broker!.queueOf('tally')), 0);
    t.like((await notesNode!.get('/ready')).body, { broker: 'connected' });
  });
}

test('a broker that cannot be reached: events wait in the outbox with the error, the process stays ready and closes cleanly', async (t) => {
  const dispatcher = { options: { ...fast.dispatcher.options, maxAttempts: 1, unavailableRetryMs: 50 } };
  const api = await boot(t, 'sqlite', {
    modules,
    env: { SEAMS_BROKER_URL: 'amqp://guest:guest@127.0.0.1:1', SEAMS_BROKER_PREFIX: 'unreachable' },
    ...fast,
    dispatcher,
  });
  await noteServiceOf(api.app).write('waiting', 'kept');
  const outbox = api.app.databases.get('notes')!.knex;
  await waitUntil(async () => (await outbox('outbox').first()).last_error, 10_000, 'a first try');
  await new Promise((r) => setTimeout(r, 500)); // several more tries, 50 ms apart
  await api.app.dispatcher.stop(); // not caught in the middle of a try
  const row = await outbox('outbox').first();
  t.like(row, { status: 'pending', attempts: 0 }, 'held, never dead-lettered: the handler was never reached');
  t.regex(row.last_error, /^broker: .*ECONNREFUSED/);
  const ready = await api.get('/ready');
  t.is(ready.status, 200);
  t.is(ready.body.broker, 'disconnected');
});
