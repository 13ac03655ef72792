import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { PERIOD, bootBilling, captureIO, type BillingTestApp } from './billingApp.ts';

const runOf = (billing: BillingTestApp, id: string) => billing.api.get(`/v1/invoice-runs/${id}`, billing.finance).then((r) => r.body);
const finished = (billing: BillingTestApp, id: string) =>
  waitUntil(
    async () => {
      const run = await runOf(billing, id);
      return run.status === 'succeeded' || run.status === 'failed' ? run : null;
    },
    10_000,
    `run ${id}`,
  );

async function livePerPublisher(billing: BillingTestApp): Promise<number[]> {
  const rows = await billing.db('invoices').whereNot({ status: 'void' }).groupBy('publisher_id').select('publisher_id').count({ n: '*' });
  return rows.map((r) => Number(r.n));
}

for (const dialect of dialects) {
  test(`[${dialect}] a run left by a dead worker: 409 while its lease holds, then picked up again with its progress kept`, async (t) => {
    const billing = await bootBilling(t, dialect, { run: { pageSize: 2 } });
    for (const name of ['a', 'b', 'c']) await billing.earner(name, 2_000_000);
    const { invoiceRuns, invoiceRunWorker } = billing.cradle;
    await invoiceRunWorker.stop();
    // A worker that claimed the run and died.
    const orphan = await invoiceRuns.request(PERIOD, { requestedBy: null, owner: 'wrk_dead' });
    const again = await billing.api.post('/v1/invoice-runs', { period: PERIOD }, billing.finance);
    t.is(again.status, 409);

    await billing.db('invoice_runs').where({ id: orphan.id }).update({ lease_until: '2000-01-01T00:00:00.000Z' });
    const revived = await billing.api.post('/v1/invoice-runs', { period: PERIOD }, billing.finance);
    t.is(revived.status, 202);
    t.like(revived.body, { id: orphan.id, status: 'queued' });
    invoiceRunWorker.start();
    t.like(await finished(billing, orphan.id), { status: 'succeeded', processed: 3, created: 3 });
    t.deepEqual(await livePerPublisher(billing), [1, 1, 1]);
  });

  test(`[${dialect}] stopping the worker finishes the page in hand and hands the run back; the next worker completes it`, async (t) => {
    const billing = await bootBilling(t, dialect, { run: { pageSize: 2 } });
    for (const name of ['a', 'b', 'c', 'd', 'e']) await billing.earner(name, 2_000_000);
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    billing.stub.beforeEarnings = () => opened;
    t.teardown(() => open()); // never leave the worker held: the app could not close
    const queued = await billing.api.post('/v1/invoice-runs', { period: PERIOD }, billing.finance);
    await waitUntil(async () => billing.stub.calls.some((c) => c.method === 'earningsForMonth'));

    const stopped = billing.cradle.invoiceRunWorker.stop();
    open();
    await stopped;
    t.like(await runOf(billing, queued.body.id), { status: 'queued', processed: 2, created: 2 });

    billing.cradle.invoiceRunWorker.start();
    t.like(await finished(billing, queued.body.id), { status: 'succeeded', total: 5, processed: 5, created: 5, skipped: 0 });
    t.deepEqual(await livePerPublisher(billing), [1, 1, 1, 1, 1]);
  });

  test(`[${dialect}] CLI invoices run --period: runs in-process with progress, refuses bad periods and a month already running`, async (t) => {
    const billing = await bootBilling(t, dialect, { run: { pageSize: 2 } });
    for (const name of ['a', 'b', 'c']) await billing.earner(name, 2_000_000);
    await billing.publisher('nothing earned');
    const [command] = billing.definition.commands!(billing.cradle);
    t.is(command!.name, 'invoices run');

    const cli = captureIO();
    t.is(await command!.run({ args: {}, options: { period: PERIOD } }, cli.io), 0);
    t.like(JSON.parse(cli.out()), { period: PERIOD, status: 'succeeded', total: 4, processed: 4, created: 3, skipped: 1 });
    t.deepEqual(cli.updates, [
      [0, 4],
      [2, 4],
      [4, 4],
    ]);
    t.is((await billing.api.get(`/v1/invoices?period=${PERIOD}&status=draft`, billing.finance)).body.data.length, 3);

    t.is(command!.options!.find((o) => o.name === 'period')!.check!('2026-13'), 'must be a month, YYYY-MM');
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    billing.stub.beforeEarnings = () => opened;
    t.teardown(() => open()); // never leave the worker held: the app could not close
    const busy = await billing.api.post('/v1/invoice-runs', { period: '2026-02' }, billing.finance);
    await waitUntil(async () => (await runOf(billing, busy.body.id)).status === 'running');
    await t.throwsAsync(command!.run({ args: {}, options: { period: '2026-02' } }, captureIO().io), {
      message: /already queued or running/,
    });
    open();
    await finished(billing, busy.body.id);
  });
}
