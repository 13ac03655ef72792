import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import type { Facade } from '../../src/kernel/index.ts';
import type { billingContract } from '../../modules/billing/contract.ts';
import { bootBilling } from './billingApp.ts';

for (const dialect of dialects) {
  test(`[${dialect}] billingSummaries: outstanding over issued invoices, latest issued or paid first, a fixed number of queries per batch`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const { api, stub, finance } = billing;
    const [a, b, quiet] = await billing.earners(3, 10_000_000);
    stub.setEarnings('2026-03', quiet!, []);
    const months = ['2026-01', '2026-02', '2026-03'];
    for (const period of months) {
      for (const id of [a!, b!]) stub.setEarnings(period, id, [{ appId: 'app_1', name: 'Game', impressions: 1, grossMicros: 10_000_000 * Number(period.slice(5)) }]);
      await billing.run(period);
    }
    // a: January paid, February issued with 100 paid, March issued; b: January issued then void, the rest drafts.
    const of = async (id: string, period: string) => (await billing.invoicesOf(id)).find((i) => i.period === period && i.status !== 'void');
    const [aJan, aFeb, aMar, bJan] = await Promise.all([of(a!, '2026-01'), of(a!, '2026-02'), of(a!, '2026-03'), of(b!, '2026-01')]);
    for (const invoice of [aJan, aFeb, aMar, bJan]) await billing.issue(invoice.id);
    await api.post(`/v1/invoices/${aJan.id}/payments`, { amountMinor: 700, receivedOn: '2026-04-01', reference: 'J' }, finance);
    await api.post(`/v1/invoices/${aFeb.id}/payments`, { amountMinor: 100, receivedOn: '2026-04-01', reference: 'F' }, finance);
    await billing.patch(`/v1/invoices/${bJan.id}`, { status: 'void' });

    const facade = api.app.facades.resolve<Facade<typeof billingContract>>('billingFacade');
    const queries: string[] = [];
    // The dispatcher and the run worker poll the same database: stop them, then count.
    await Promise.all([api.app.dispatcher.stop(), billing.cradle.invoiceRunWorker.stop()]);
    billing.db.on('query', (q: { sql: string }) => queries.push(q.sql));
    const summaries = await facade.billingSummaries({ publisherIds: [a!, b!, quiet!, 'pub_unknown'], latestInvoices: 2 });
    const perBatch = queries.length;
    t.deepEqual(summaries.map((s) => [s.publisherId, s.currency, s.outstandingMinor]), [
      [a!, 'USD', 1_400 - 100 + 2_100],
      [b!, 'USD', 0],
      [quiet!, 'USD', 0],
      ['pub_unknown', 'USD', 0],
    ]);
    // Newest first, limited to two; drafts and void invoices never show.
    t.deepEqual(summaries[0]!.invoices.map((i) => [i.id, i.status, i.paidMinor]), [[aMar.id, 'issued', 0], [aFeb.id, 'issued', 100]]);
    t.deepEqual(summaries[1]!.invoices, []);
    t.like(summaries[0]!.invoices[0], { number: (await api.get(`/v1/invoices/${aMar.id}`, finance)).body.number, period: '2026-03', currency: 'USD', totalMinor: 2_100 });

    queries.length = 0;
    await facade.billingSummaries({ publisherIds: [a!], latestInvoices: 5 });
    t.is(queries.length, perBatch, 'as many queries for one publisher as for four');
    t.true(perBatch <= 3, queries.join('\n'));
    t.deepEqual(await facade.billingSummaries({ publisherIds: [], latestInvoices: 5 }), []);
  });
}
