/**
 * An invoice run is held under a short lease that the worker's heartbeat
 * renews: a page slower than the lease keeps the run while its process lives,
 * and a worker whose heartbeat cannot write stops before committing past it.
 */
import test from 'ava';
import { createApp } from '../../src/app.ts';
import type { BillingCradle } from '../../modules/billing/index.ts';
import { databaseEnv, spawnTs } from '../helpers/child.ts';
import { dialects, testConfig } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { operationsStubOf, seedEarnings } from '../fixtures/modules/operationsStub/index.ts';
import { PERIOD, bootBilling, heldWorkModules, seedAccounts } from './billingApp.ts';

const LEASE = 3_000;
const ACCOUNTS = 15;

for (const dialect of dialects) {
  test(`[${dialect}] a run page slower than the lease keeps the run while its process lives: another worker never takes it over`, async (t) => {
    const config = await testConfig(t, dialect);
    const ids = await seedAccounts(config, ACCOUNTS);
    const holder = spawnTs('test/fixtures/heldWorkChild.ts', [], { ...databaseEnv(config), HOLD: 'run', PERIOD, LEASE_MS: String(LEASE) });
    t.teardown(() => void holder.process.kill('SIGKILL'));
    await holder.waitFor('holding run', 60_000);
    const heldAt = Date.now();
    const runId = /holding run (\S+)/.exec(holder.output())![1]!;

    // A second instance whose worker polls every 50 ms.
    const rival = await createApp(config, {
      modules: heldWorkModules({ leaseMs: LEASE, pollMs: 50 }),
      dispatcher: { options: { leaseMs: LEASE, idlePollMs: 50 } },
    });
    t.teardown(() => rival.close());
    const rivalStub = operationsStubOf(rival);
    seedEarnings(rivalStub, PERIOD, ids);
    seedEarnings(rivalStub, '2026-02', ids);
    rival.start();
    // It is live: a run of another month, queued while the holder is busy, goes to it.
    const { invoiceRuns, invoiceRunWorker } = rival.modules.find((m) => m.definition.name === 'billing')!.container.cradle as BillingCradle;
    const february = await invoiceRuns.request('2026-02', { requestedBy: null });
    invoiceRunWorker.wake();
    const db = rival.databases.get('billing')!.knex;
    const runRow = (id: string) => db('invoice_runs').where({ id }).first();
    await waitUntil(
      async () => (await runRow(february.id)).status === 'succeeded' && Date.now() - heldAt > 2.5 * LEASE,
      60_000,
      'the rival to run February, and 2.5 leases',
    );

    const held = await runRow(runId);
    t.like(held, { status: 'running', processed: 10, attempts: 1 }, 'one page committed, the second in hand');
    t.true(Date.parse(held.lease_until) > Date.now(), '2.5 leases after the page began, the lease still runs: renewed');
    holder.process.stdin!.write('release\n');
    const done = await waitUntil(
      async () => {
        const run = await runRow(runId);
        return run.status === 'succeeded' && run;
      },
      20_000,
      'the held run to finish',
    );
    t.like(done, { processed: ACCOUNTS, created: ACCOUNTS, attempts: 1 });
    const marchCalls = rivalStub.calls.filter((c) => c.method === 'earningsForMonth' && (c.input as { month: string }).month === PERIOD);
    t.is(marchCalls.length, 0, 'the rival never ran a page of the held run');
    t.is((await db('invoices').where({ period: PERIOD })).length, ACCOUNTS, 'one invoice per publisher');
  });

  test(`[${dialect}] a run longer than its lease, whose pages never wait for I/O, keeps its one claim to the end: each commit renews the lease, and the heartbeat gets its turn between pages`, async (t) => {
    const lease = LEASE;
    const billing = await bootBilling(t, dialect, { run: { pageSize: 1, leaseMs: lease } });
    const { invoiceRuns } = billing.cradle;
    const renew = invoiceRuns.renew;
    let heartbeats = 0;
    invoiceRuns.renew = async (trx, run, owner) => {
      if (trx === null) heartbeats++;
      return renew(trx, run, owner);
    };
    t.teardown(() => void (invoiceRuns.renew = renew));
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) await billing.earner(name, 2_000_000);
    // Each page's earnings hold the thread for a fifth of the lease, as a synchronous SQLite read does:
    // six pages take longer than the lease, and nothing in them yields to the event loop.
    billing.stub.beforeEarnings = () => {
      const until = performance.now() + lease / 5;
      while (performance.now() < until);
      return undefined;
    };
    const run = await billing.run();
    t.like(run, { status: 'succeeded', processed: 6, created: 6 });
    t.is((await billing.db('invoice_runs').where({ id: run.id }).first()).attempts, 1, 'one claim ran the whole run');
    t.true(heartbeats >= 1, 'the heartbeat renewed while the pages held the thread');
  });

  test(`[${dialect}] a worker whose heartbeat cannot write (database locked, no connection): its page is not committed past the lease, and a new claim does that page again`, async (t) => {
    const lease = 1_000;
    const billing = await bootBilling(t, dialect, { run: { pageSize: 2, leaseMs: lease } });
    for (const name of ['a', 'b', 'c']) await billing.earner(name, 2_000_000);
    const { invoiceRuns } = billing.cradle;
    const renew = invoiceRuns.renew;
    // The first claim's heartbeat fails; the page transaction's own check, and later claims, work.
    invoiceRuns.renew = async (trx, run, owner) => {
      if (trx === null && run.attempts === 1) throw new Error('SQLITE_BUSY: database is locked');
      return renew(trx, run, owner);
    };
    t.teardown(() => void (invoiceRuns.renew = renew));
    // The first page's earnings take 1.5 leases.
    billing.stub.beforeEarnings = (call) => (call === 1 ? new Promise((resolve) => setTimeout(resolve, 1.5 * lease)) : undefined);

    const run = await billing.run();
    t.like(run, { status: 'succeeded', processed: 3, created: 3 });
    t.is((await billing.db('invoice_runs').where({ id: run.id }).first()).attempts, 2, 'the first claim stopped; a second ran the run');
    const calls = billing.stub.calls
      .filter((c) => c.method === 'earningsForMonth')
      .map((c) => (c.input as { publisherIds: string[] }).publisherIds.length);
    t.deepEqual(calls, [2, 2, 1], 'the slow first page was fetched again: it was never committed');
    const perPublisher = await billing.db('invoices').groupBy('publisher_id').select('publisher_id').count({ n: '*' });
    t.deepEqual(
      perPublisher.map((r) => Number(r.n)),
      [1, 1, 1],
    );
  });
}
