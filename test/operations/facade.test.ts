import test from 'ava';
import type { Facade } from '../../src/kernel/index.ts';
import type { operationsContract } from '../../modules/operations/contract.ts';
import { dialects } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { bootOperations } from './setup.ts';

const row = (adUnitId: string, date: string, revenueMicros: number) => ({ adUnitId, date, impressions: 100, clicks: 1, revenueMicros });

for (const dialect of dialects) {
  test(`[${dialect}] the facade serves publishers by ids and pages of active publishers`, async (t) => {
    const { api, ops, seed } = await bootOperations(t, dialect);
    const facade = api.app.facades.resolve<Facade<typeof operationsContract>>('operationsFacade');
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await seed()).publisherId);
    await api.request('PATCH', `/v1/publishers/${ids[2]}`, { token: ops, body: { status: 'suspended' } });

    const some = await facade.publishersByIds({ ids: [ids[0]!, 'pub_unknown', ids[2]!] });
    t.deepEqual(some.map((p) => p.id), [ids[0], ids[2]]);
    t.deepEqual(Object.keys(some[0]!).sort(), ['contactEmail', 'country', 'id', 'name', 'revenueShareBps', 'status']);

    const first = await facade.activePublishers({ limit: 3, cursor: null });
    const second = await facade.activePublishers({ limit: 3, cursor: first.nextCursor });
    t.deepEqual([...first.data, ...second.data].map((p) => p.id), [ids[0], ids[1], ids[3], ids[4]]);
    t.is(second.nextCursor, null);
    await t.throwsAsync(facade.activePublishers({ limit: 0, cursor: null }), { message: /limit/ });
  });

  test(`[${dialect}] earnings for a page of publishers come from one SQL query`, async (t) => {
    const { api, ops, seed } = await bootOperations(t, dialect);
    const facade = api.app.facades.resolve<Facade<typeof operationsContract>>('operationsFacade');
    const seeded = [];
    for (let i = 0; i < 6; i++) seeded.push(await seed());
    const rows = seeded.flatMap((s, i) => [row(s.adUnitId, '2026-03-01', 1_000_000 * (i + 1)), row(s.adUnitId, '2026-04-01', 5)]);
    await api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows } });

    const knex = api.app.databases.get('operations')!.knex;
    let queries = 0;
    const count = () => queries++;
    knex.on('query', count);
    const earnings = await facade.earningsForMonth({ publisherIds: seeded.map((s) => s.publisherId), month: '2026-03' });
    knex.off('query', count);
    t.is(queries, 1);
    t.is(earnings.length, 6);
    t.deepEqual(earnings[1], {
      publisherId: seeded[1]!.publisherId,
      revenueShareBps: 7000,
      grossMicros: 2_000_000,
      shareMicros: 1_400_000,
      apps: [{ appId: seeded[1]!.appId, name: (earnings[1] as { apps: { name: string }[] }).apps[0]!.name, impressions: 100, clicks: 1, grossMicros: 2_000_000, shareMicros: 1_400_000 }],
    });
    await t.throwsAsync(facade.earningsForMonth({ publisherIds: [], month: '2026-13' }), { message: /month/ });
  });

  test(`[${dialect}] the dashboard combines month to date, Billing's facade and the last payment event`, async (t) => {
    const { api, ops, seed, billing } = await bootOperations(t, dialect, { clock: { now: () => new Date('2026-03-15T12:00:00.000Z') } });
    const { publisherId, adUnitId } = await seed();
    await api.request('PUT', '/v1/delivery-reports', {
      token: ops,
      body: { rows: [row(adUnitId, '2026-02-28', 9), row(adUnitId, '2026-03-01', 1_000_000), row(adUnitId, '2026-03-15', 1_000_000)] },
    });
    const invoice = { id: 'inv_1', number: 'INV-2026-000001', period: '2026-02', status: 'issued' as const, currency: 'USD', totalMinor: 5000, paidMinor: 1000, issuedAt: '2026-03-02T09:00:00.000Z', dueAt: '2026-04-01' };
    billing.summaries.set(publisherId, { publisherId, currency: 'USD', outstandingMinor: 4000, invoices: [invoice] });
    await billing.pay({ invoiceId: 'inv_0', publisherId, period: '2026-01', number: 'INV-2026-000000', totalMinor: 10, currency: 'USD', paidAt: '2026-03-10T08:00:00.000Z' });
    const operations = api.app.databases.get('operations')!.knex;
    await waitUntil(() => operations('last_payments').first(), 5_000, 'the payment event');

    const own = await api.token('publisher', publisherId);
    const dashboard = await api.get(`/v1/publishers/${publisherId}/dashboard`, own);
    t.is(dashboard.status, 200);
    t.like(dashboard.body, {
      monthToDate: { grossMicros: 2_000_000, shareMicros: 1_400_000 },
      invoices: [invoice],
      outstandingMinor: 4000,
      currency: 'USD',
      lastPaymentAt: '2026-03-10T08:00:00.000Z',
    });
    t.is(dashboard.body.publisher.id, publisherId);
    t.deepEqual(billing.calls, [{ method: 'billingSummaries', publisherIds: [publisherId] }], 'one facade call for the page');
    t.is((await api.get(`/v1/publishers/${publisherId}/dashboard`, await api.token("finance"))).status, 403);
  });
}
