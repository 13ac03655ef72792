/**
 * How soon work held by a process killed with SIGKILL moves again, with the
 * production leases (10 s) and polls (1 s): events it had claimed (billing
 * accounts for publishers registered just before the kill) and the invoice run
 * it was running. Its claims cannot be told apart from a live process's, so
 * they are taken over when their lease runs out: within lease + poll.
 */
import test, { type ExecutionContext } from 'ava';
import { createApp, type App } from '../../src/app.ts';
import { databaseEnv, spawnTs } from '../helpers/child.ts';
import { dialects, testConfig } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { operationsStubOf, seedEarnings } from '../fixtures/modules/operationsStub/index.ts';
import { PERIOD, heldWorkModules, latePublishers, seedAccounts } from './billingApp.ts';

const ACCOUNTS = 15;
const LATE = 5;
const BUDGET_MS = 15_000;
const CHILD = 'test/fixtures/heldWorkChild.ts';

/** What the killed process held: its claims on the late publishers' events and its run. */
async function heldWork(app: App) {
  const events = await app.databases
    .get('operations')!
    .knex('outbox')
    .where({ name: 'operations.PublisherRegistered', status: 'in_flight' });
  const [run] = await app.databases.get('billing')!.knex('invoice_runs').where({ period: PERIOD });
  return { events, run };
}

function assertHeld(t: ExecutionContext, held: Awaited<ReturnType<typeof heldWork>>, now: number) {
  t.is(held.events.length, LATE, 'the late events were claimed');
  t.true(
    held.events.every((row) => Date.parse(row.claimed_until) > now),
    'their claim still runs',
  );
  // Its lease may be nearer its end: on SQLite the held handler's transaction had the process's
  // one Billing connection, so the run's heartbeat waited behind it.
  t.like(held.run, { status: 'running', processed: 10, attempts: 1 });
  const left = (until: string) => Date.parse(until) - now;
  t.log(`leases left: events ${left(held.events[0].claimed_until)} ms, run ${left(held.run.lease_until)} ms`);
}

/** Waits until the held work is done; how long each part took from `since`. */
async function timeToRecover(app: App, runId: string, since: number) {
  const accounts = app.databases.get('billing')!.knex('billing_accounts');
  const runs = app.databases.get('billing')!.knex('invoice_runs');
  let eventsMs: number | null = null;
  let runMs: number | null = null;
  await waitUntil(
    async () => {
      if (eventsMs === null && (await accounts.clone()).length === ACCOUNTS + LATE) eventsMs = Date.now() - since;
      if (runMs === null && (await runs.clone().where({ id: runId }).first()).status === 'succeeded') runMs = Date.now() - since;
      return eventsMs !== null && runMs !== null;
    },
    60_000,
    'the held work to be done',
  );
  return { eventsMs: eventsMs!, runMs: runMs! };
}

async function assertDone(t: ExecutionContext, app: App, runId: string) {
  const run = await app.databases.get('billing')!.knex('invoice_runs').where({ id: runId }).first();
  t.like(run, { status: 'succeeded', attempts: 2 });
  t.true(run.processed >= ACCOUNTS);
  // An event is marked delivered once its handler has committed: the accounts may be there a moment before.
  const outbox = app.databases.get('operations')!.knex('outbox');
  const delivered = async () =>
    (await outbox.clone().where({ name: 'operations.PublisherRegistered' })).every((row) => row.status === 'delivered');
  t.true(await waitUntil(delivered, 10_000, 'the events marked delivered'));
}

for (const dialect of dialects) {
  test(`[${dialect}] killed (SIGKILL) holding events and an invoice run: after a restart both move again within 15 s of start()`, async (t) => {
    const config = await testConfig(t, dialect);
    const ids = await seedAccounts(config, ACCOUNTS);
    const dead = spawnTs(CHILD, [], { ...databaseEnv(config), HOLD: 'run,events', PUBLISHERS: String(LATE), PERIOD });
    t.teardown(() => void dead.process.kill('SIGKILL'));
    await dead.waitFor('holding events', 60_000);
    dead.process.kill('SIGKILL');
    t.is((await dead.exited).signal, 'SIGKILL');

    const app = await createApp(config, { modules: heldWorkModules() });
    t.teardown(() => app.close());
    const stub = operationsStubOf(app);
    seedEarnings(stub, PERIOD, ids);
    for (const publisher of latePublishers(LATE)) stub.know(publisher);
    const held = await heldWork(app);
    const startedAt = Date.now();
    assertHeld(t, held, startedAt);
    app.start();
    const { eventsMs, runMs } = await timeToRecover(app, held.run.id, startedAt);
    t.log(`from the restarted app's start(): late billing accounts opened after ${eventsMs} ms, the run finished after ${runMs} ms`);
    t.true(eventsMs < BUDGET_MS, `events: ${eventsMs} ms`);
    t.true(runMs < BUDGET_MS, `run: ${runMs} ms`);
    await assertDone(t, app, held.run.id);
  });

  test(`[${dialect}] killed (SIGKILL) holding events and an invoice run: a live second instance takes both over within 15 s`, async (t) => {
    const config = await testConfig(t, dialect);
    await seedAccounts(config, ACCOUNTS);
    // Never started: it only reads. Opened before any process holds a write lock (SQLite).
    const observer = await createApp(config, { modules: heldWorkModules() });
    t.teardown(() => observer.close());
    // Booted (migrations included) before the other takes SQLite's write lock with its held handler.
    const live = spawnTs(CHILD, [], { ...databaseEnv(config), PUBLISHERS: String(LATE), PERIOD });
    t.teardown(() => void live.process.kill('SIGKILL'));
    await live.waitFor('ready', 60_000);
    const dead = spawnTs(CHILD, [], { ...databaseEnv(config), HOLD: 'run,events', PUBLISHERS: String(LATE), PERIOD });
    t.teardown(() => void dead.process.kill('SIGKILL'));
    await dead.waitFor('holding events', 60_000);
    live.process.stdin!.write('go\n');
    await live.waitFor('started');

    const held = await heldWork(observer);
    const killedAt = Date.now();
    assertHeld(t, held, killedAt);
    dead.process.kill('SIGKILL');
    t.is((await dead.exited).signal, 'SIGKILL');
    const { eventsMs, runMs } = await timeToRecover(observer, held.run.id, killedAt);
    t.log(`from the kill: late billing accounts opened after ${eventsMs} ms, the run finished after ${runMs} ms (by the live instance)`);
    t.true(eventsMs < BUDGET_MS, `events: ${eventsMs} ms`);
    t.true(runMs < BUDGET_MS, `run: ${runMs} ms`);
    await assertDone(t, observer, held.run.id);
  });
}
