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
    t.deepEqual(
      some.map((p) => p.id),
      [ids[0], ids[2]],
    );
    t.deepEqual(Object.keys(some[0]!).sort(), ['contactEmail', 'country', 'id', 'name', 'revenueShareBps', 'status']);

    const first = await facade.activePublishers({ limit: 3, cursor: null });
    const second = await facade.activePublishers({ limit: 3, cursor: first.nextCursor });
    t.deepEqual(
      [...first.data, ...second.data].map((p) => p.id),
      [ids[0], ids[1], ids[3], ids[4]],
    );
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
      apps: [
        {
          appId: seeded[1]!.appId,
          name: (earnings[1] as { apps: { name: string }[] }).apps[0]!.name,
          impressions: 100,
          clicks: 1,
          grossMicros: 2_000_000,
          shareMicros: 1_400_000,
        },
      ],
    });
    await t.throwsAsync(facade.earningsForMonth({ publisherIds: [], month: '2026-13' }), { message: /month/ });
  });

  test(`[${dialect}] the dashboard combines month to date with its own view of Billing's events: issued, paid out, paid, voided`, async (t) => {
    const { api, ops, seed, billing } = await bootOperations(t, dialect, { clock: { now: () => new Date('2026-03-15T12:00:00.000Z') } });
    const { publisherId, adUnitId } = await seed();
    await api.request('PUT', '/v1/delivery-reports', {
      token: ops,
      body: { rows: [row(adUnitId, '2026-02-28', 9), row(adUnitId, '2026-03-01', 1_000_000), row(adUnitId, '2026-03-15', 1_000_000)] },
    });
    const issued = (id: string, period: string, number: string, totalMinor: number, issuedAt: string) =>
      billing.issue({ invoiceId: id, publisherId, period, number, totalMinor, currency: 'USD', issuedAt, dueAt: '2026-04-01' });
    await issued('inv_jan', '2026-01', 'INV-2026-000001', 1_000, '2026-02-02T09:00:00.000Z');
    await issued('inv_feb', '2026-02', 'INV-2026-000002', 5_000, '2026-03-02T09:00:00.000Z');
    await issued('inv_dec', '2025-12', 'INV-2026-000003', 700, '2026-01-05T09:00:00.000Z');
    await billing.payOut({
      invoiceId: 'inv_feb',
      publisherId,
      period: '2026-02',
      paymentId: 'pay_1',
      amountMinor: 1_000,
      paidMinor: 1_000,
      paidOn: '2026-03-09',
      recordedAt: '2026-03-09T08:00:00.000Z',
    });
    await billing.payOut({
      invoiceId: 'inv_jan',
      publisherId,
      period: '2026-01',
      paymentId: 'pay_2',
      amountMinor: 1_000,
      paidMinor: 1_000,
      paidOn: '2026-03-10',
      recordedAt: '2026-03-10T08:00:00.000Z',
    });
    await billing.pay({
      invoiceId: 'inv_jan',
      publisherId,
      period: '2026-01',
      number: 'INV-2026-000001',
      totalMinor: 1_000,
      currency: 'USD',
      paidAt: '2026-03-10T08:00:00.000Z',
    });
    await billing.voidInvoice({
      invoiceId: 'inv_dec',
      publisherId,
      period: '2025-12',
      number: 'INV-2026-000003',
      wasIssued: true,
      voidedAt: '2026-03-11T08:00:00.000Z',
    });
    const operations = api.app.databases.get('operations')!.knex;
    // One handler takes all of a publisher's invoice events, in order: 3 issued, 2 payouts, 1 paid, 1 voided.
    await waitUntil(async () => (await operations('inbox').where({ handler: 'operations.invoiceView' })).length === 7, 5_000, 'the events');

    const own = await api.token('publisher', publisherId);
    const dashboard = await api.get(`/v1/publishers/${publisherId}/dashboard`, own);
    t.is(dashboard.status, 200);
    t.like(dashboard.body, {
      monthToDate: { grossMicros: 2_000_000, shareMicros: 1_400_000 },
      outstandingMinor: 4_000,
      currency: 'USD',
      lastPaymentAt: '2026-03-10T08:00:00.000Z',
    });
    t.deepEqual(dashboard.body.invoices, [
      {
        id: 'inv_feb',
        number: 'INV-2026-000002',
        period: '2026-02',
        status: 'issued',
        currency: 'USD',
        totalMinor: 5_000,
        paidMinor: 1_000,
        issuedAt: '2026-03-02T09:00:00.000Z',
        dueAt: '2026-04-01',
      },
      {
        id: 'inv_jan',
        number: 'INV-2026-000001',
        period: '2026-01',
        status: 'paid',
        currency: 'USD',
        totalMinor: 1_000,
        paidMinor: 1_000,
        issuedAt: '2026-02-02T09:00:00.000Z',
        dueAt: '2026-04-01',
      },
    ]);
    t.is(dashboard.body.publisher.id, publisherId);
    t.is((await api.get(`/v1/publishers/${publisherId}/dashboard`, await api.token('finance'))).status, 403);
  });
}
