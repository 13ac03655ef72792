/**
 * A dispatcher's claim is a short lease that a heartbeat renews while the
 * batch is in hand: a handler slower than the lease keeps its claim while its
 * process lives, and a dispatcher whose heartbeat cannot write stops its batch
 * once the lease it holds runs out, so no one delivers past a lapsed claim.
 */
import test from 'ava';
import type { Knex } from 'knex';
import { createApp } from '../../src/app.ts';
import { makeDispatcher } from '../../src/platform/events/dispatcher.ts';
import { createLogger, systemClock } from '../../src/platform/logger.ts';
import { databaseEnv, spawnTs } from '../helpers/child.ts';
import { dialects, testConfig, type Dialect } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { withHeldHandlers } from '../fixtures/heldHandlers.ts';
import { noteServiceOf, notesModule } from '../fixtures/modules/notes/index.ts';
import { tallyModule } from '../fixtures/modules/tally/index.ts';

const LEASE = 3_000;

/** Makes every renewal of a claim fail in the database itself, as a locked or unreachable one would. */
async function refuseRenewals(knex: Knex, dialect: Dialect): Promise<void> {
  // A renewal is the only update that keeps an in-flight row in flight (no claim here is ever taken over).
  if (dialect === 'sqlite') {
    await knex.raw(`CREATE TRIGGER refuse_renewal BEFORE UPDATE ON outbox WHEN OLD.status = 'in_flight' AND NEW.status = 'in_flight'
      BEGIN SELECT RAISE(ABORT, 'renewal refused'); END`);
  } else {
    await knex.raw(
      `CREATE FUNCTION refuse_renewal() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'renewal refused'; END $$`,
    );
    await knex.raw(`CREATE TRIGGER refuse_renewal BEFORE UPDATE ON outbox FOR EACH ROW
      WHEN (OLD.status = 'in_flight' AND NEW.status = 'in_flight') EXECUTE FUNCTION refuse_renewal()`);
  }
}

for (const dialect of dialects) {
  test(`[${dialect}] a handler slower than the lease keeps its claim while its process lives: another dispatcher never takes the event over`, async (t) => {
    const config = await testConfig(t, dialect);
    const writer = await createApp(config, { modules: [notesModule, tallyModule] }); // never started: it only writes notes
    t.teardown(() => writer.close());
    const notes = noteServiceOf(writer);
    const outbox = writer.databases.get('notes')!.knex;
    await notes.write('held', 'slow');

    const holder = spawnTs('test/fixtures/heldEventChild.ts', [], { ...databaseEnv(config), HOLD_TOPIC: 'held', LEASE_MS: String(LEASE) });
    t.teardown(() => void holder.process.kill('SIGKILL'));
    await holder.waitFor('handling held', 60_000);
    const heldAt = Date.now();

    // A second dispatcher over the same outbox, claiming every 50 ms whatever it may.
    const taken: string[] = [];
    const rival = makeDispatcher({
      sources: [writer.databases.get('notes')!],
      deliver: async (_subscriber, event) => void taken.push((event.payload as { topic: string }).topic),
      clock: systemClock,
      log: createLogger(config),
      options: { leaseMs: LEASE, idlePollMs: 50 },
    });
    rival.start();
    t.teardown(() => rival.stop());
    // It is live: a note written while the holder is busy goes to it.
    await notes.write('meanwhile', 'quick');
    await waitUntil(
      async () => taken.includes('meanwhile') && Date.now() - heldAt > 2.5 * LEASE,
      60_000,
      'the rival to deliver, and 2.5 leases',
    );

    const held = await outbox('outbox').where({ aggregate_id: 'held' }).first();
    t.is(held.status, 'in_flight');
    t.true(Date.parse(held.claimed_until) > Date.now(), '2.5 leases after it was claimed, the claim still runs: renewed');
    holder.process.stdin!.write('release\n');
    const delivered = await waitUntil(
      async () => {
        const row = await outbox('outbox').where({ aggregate_id: 'held' }).first();
        return row.status === 'delivered' && row;
      },
      20_000,
      'the held event delivered',
    );
    t.is(delivered.attempts, 1, 'claimed once');
    t.deepEqual(taken, ['meanwhile'], 'the rival never delivered the held event');
    t.like(await writer.databases.get('tally')!.knex('tallies').where({ topic: 'held' }).first(), { count: 1, texts: 'slow' });
  });

  test(`[${dialect}] a heartbeat whose writes fail: the batch stops once its lease runs out, and the rest is delivered under a new claim`, async (t) => {
    const config = await testConfig(t, dialect);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let handling!: () => void;
    const handlingFirst = new Promise<void>((resolve) => (handling = resolve));
    const holdingTally = withHeldHandlers(tallyModule, async (event) => {
      if (event.payload.text !== 'first') return;
      handling();
      await released;
    });
    const lease = 1_000;
    const app = await createApp(config, {
      modules: [notesModule, holdingTally],
      dispatcher: { options: { leaseMs: lease, idlePollMs: 50 } },
    });
    t.teardown(() => app.close());
    t.teardown(release); // never leave the handler held: the app could not close
    const outbox = app.databases.get('notes')!.knex;
    await refuseRenewals(outbox, dialect);
    const notes = noteServiceOf(app);
    // Two aggregates: one batch claims the first event of each.
    await notes.write('renewals-a', 'first');
    await notes.write('renewals-b', 'second');

    app.start();
    await handlingFirst;
    const claim = (await outbox('outbox').orderBy('seq')).map((row) => [row.status, row.claimed_by]);
    t.is(claim[1]![1], claim[0]![1], 'both events claimed in one batch');
    await new Promise((resolve) => setTimeout(resolve, 1.5 * lease)); // the handler takes 1.5 leases
    release();

    const rows = await waitUntil(
      async () => {
        const all = await outbox('outbox').orderBy('seq');
        return all.every((row) => row.status === 'delivered') && all;
      },
      20_000,
      'both delivered',
    );
    t.is(rows[0].claimed_by, claim[0]![1], 'the first, in hand, was settled by its claim');
    t.not(rows[1].claimed_by, claim[0]![1], 'the second was not delivered past the lapsed lease: a new claim took it');
    t.deepEqual(
      rows.map((row) => row.attempts),
      [1, 1],
      'the untried one got its attempt back',
    );
    const tallies = await app.databases.get('tally')!.knex('tallies').orderBy('topic');
    t.deepEqual(
      tallies.map((row) => [row.topic, row.count]),
      [
        ['renewals-a', 1],
        ['renewals-b', 1],
      ],
      'each handled once',
    );
  });
}
