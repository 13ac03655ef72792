/**
 * A process killed (SIGKILL) between the two steps of an issue — Operations
 * has closed the month, Billing has not issued — converges: after a restart
 * the recovery sweep releases the close, the month takes delivery again, and
 * issuing again issues the invoice with the month closed.
 */
import test from 'ava';
import { createBillingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { createApp } from '../../src/app.ts';
import { databaseEnv, spawnTs } from '../helpers/child.ts';
import { dialects } from '../helpers/databases.ts';
import { boot } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { deliveryRow, eventually, newPublisher, runInvoices } from './harness.ts';

const modules = (abandonAfterMs: number) => [operationsModule, createBillingModule({ pollMs: 50, issue: { abandonAfterMs, sweepMs: 50 } })];

for (const dialect of dialects) {
  test(`[${dialect}] SIGKILL after Operations closed the month and before Billing issued: the close is released on restart, and issuing again converges`, async (t) => {
    const api = await boot(t, dialect, { modules: modules(60_000), dispatcher: { options: { idlePollMs: 50 } } });
    const [ops, finance] = [await api.token('ops'), await api.token('finance')];
    const { publisherId, adUnitId } = await newPublisher(api, ops);
    await eventually(
      () => api.get(`/v1/billing-accounts/${publisherId}`, finance),
      (r) => r.status === 200,
      'the billing account',
    );
    const put = (client: typeof api, day: string) =>
      client.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows: [deliveryRow(adUnitId, `2025-08-${day}`, 3_000_000)] } });
    t.is((await put(api, '01')).status, 200);
    await runInvoices(api, finance, '2025-08');
    const [draft] = (await api.get(`/v1/invoices?publisherId=${publisherId}&period=2025-08`, finance)).body.data;

    const child = spawnTs('test/fixtures/issueChild.ts', [], { ...databaseEnv(api.app.config), INVOICE_ID: draft.id });
    t.is((await child.exited).signal, 'SIGKILL', child.output());
    const operations = api.app.databases.get('operations')!.knex;
    t.like(
      await operations('month_closes').where({ publisher_id: publisherId, period: '2025-08' }).first(),
      { invoice_id: draft.id },
      'the month was closed',
    );
    t.is((await api.get(`/v1/invoices/${draft.id}`, finance)).body.status, 'draft', 'and the invoice not issued');
    t.is((await put(api, '02')).status, 409, 'the month stays closed while nobody recovers it');

    // A restart (a fresh app on the same databases) gives the dead attempt up and releases its close.
    const restarted = await createApp(api.app.config, { modules: modules(200) });
    restarted.start();
    t.teardown(() => restarted.close());
    await waitUntil(
      async () => (await operations('month_closes').where({ publisher_id: publisherId, period: '2025-08' }).first())?.invoice_id === null,
      15_000,
      'the close to be released',
    );
    t.is((await put(api, '02')).status, 200, 'the month takes delivery again');

    const issued = await api.request('PATCH', `/v1/invoices/${draft.id}`, { token: finance, body: { status: 'issued' } });
    t.is(issued.status, 409, 'the draft was stale: it is refreshed first');
    const retried = await api.request('PATCH', `/v1/invoices/${draft.id}`, { token: finance, body: { status: 'issued' } });
    t.is(retried.status, 200, retried.text);
    t.is(retried.body.totalMinor, 420, '6 USD at 70%: both days');
    t.is((await put(api, '03')).status, 409);
  });
}
