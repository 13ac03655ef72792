import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import type { Facade } from '../../src/kernel/index.ts';
import type { operationsContract } from '../../modules/operations/contract.ts';
import { MAX_ROW_COUNT, MAX_ROW_REVENUE_MICROS } from '../../modules/operations/deliveryRules.ts';
import { bootOperations } from './setup.ts';

const row = (adUnitId: string, date: string, impressions = 1000, clicks = 10, revenueMicros = 2_000_000) => ({
  adUnitId,
  date,
  impressions,
  clicks,
  revenueMicros,
});

for (const dialect of dialects) {
  test(`[${dialect}] a day of delivery is upserted by (ad unit, day) and shows in earnings`, async (t) => {
    const { api, ops, finance, seed } = await bootOperations(t, dialect);
    const { publisherId, appId, adUnitId } = await seed();
    const put = (rows: unknown[]) => api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows } });
    t.deepEqual((await put([row(adUnitId, '2026-03-01'), row(adUnitId, '2026-03-02')])).body, { accepted: 2 });
    // the network resends March 2nd with corrected figures: it replaces the earlier row
    t.is((await put([row(adUnitId, '2026-03-02', 500, 5, 1_000_000)])).status, 200);
    const earnings = await api.get(`/v1/publishers/${publisherId}/earnings?from=2026-03-01&to=2026-03-31`, finance);
    t.is(earnings.status, 200);
    t.deepEqual(earnings.body, {
      publisherId,
      from: '2026-03-01',
      to: '2026-03-31',
      grossMicros: 3_000_000,
      shareMicros: 2_100_000,
      apps: [{ appId, name: earnings.body.apps[0].name, impressions: 1500, clicks: 15, grossMicros: 3_000_000, shareMicros: 2_100_000 }],
    });
    const narrow = await api.get(`/v1/publishers/${publisherId}/earnings?from=2026-03-02&to=2026-03-02`, finance);
    t.is(narrow.body.grossMicros, 1_000_000);
  });

  test(`[${dialect}] bad rows refuse the whole batch with one 422 naming every problem of every row (format, rules, references); nothing is written`, async (t) => {
    const { api, ops, seed } = await bootOperations(t, dialect);
    const { adUnitId } = await seed();
    const rows = [
      row(adUnitId, '2026-03-01'),
      row(adUnitId, '2026-02-30'),
      row('adu_unknown', '2026-03-01'),
      row(adUnitId, '2026-03-03', 10, 11),
      { ...row(adUnitId, '2026-03-04'), impressions: -1 },
      { adUnitId, date: '2026-03-05', clicks: 1, revenueMicros: 1 },
      { ...row(adUnitId, '2026-03-06'), extra: true },
    ];
    const res = await api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows } });
    t.is(res.status, 422);
    t.is(res.body.code, 'OPERATIONS.DELIVERY_ROWS_INVALID');
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    // in row order: the unknown ad unit of row 2 is found although rows 1, 4, 5 and 6 are malformed
    t.deepEqual(paths, [
      '/rows/1/date',
      '/rows/2/adUnitId',
      '/rows/3/clicks',
      '/rows/4/impressions',
      '/rows/5/impressions',
      '/rows/6/extra',
    ]);
    t.is(res.body.errorCount, 6);
    const count = async () => Number((await api.app.databases.get('operations')!.knex('delivery_reports').count({ n: '*' }))[0]!.n);
    t.is(await count(), 0);

    // shape is fine, rules are not: unknown ad unit and clicks above impressions, found in one pass
    const rules = await api.request('PUT', '/v1/delivery-reports', {
      token: ops,
      body: { rows: [row(adUnitId, '2026-03-01'), rows[2], rows[3]] },
    });
    t.is(rules.status, 422);
    t.deepEqual(rules.body.errors, [
      { path: '/rows/1/adUnitId', message: 'is not a known ad unit' },
      { path: '/rows/2/clicks', message: 'must not exceed impressions' },
    ]);
    t.is(await count(), 0);
  });

  test(`[${dialect}] bulk limits: 10,000 rows in one call are accepted, 10,001 are refused`, async (t) => {
    const { api, ops, seed } = await bootOperations(t, dialect);
    const units = [];
    for (let i = 0; i < 4; i++) units.push((await seed()).adUnitId);
    const rows = [];
    const start = Date.UTC(2020, 0, 1);
    for (let i = 0; i < 10_000; i++) {
      const day = new Date(start + Math.floor(i / 4) * 86_400_000).toISOString().slice(0, 10);
      rows.push(row(units[i % 4]!, day, MAX_ROW_COUNT, MAX_ROW_COUNT, MAX_ROW_REVENUE_MICROS));
    }
    const ok = await api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows } });
    t.is(ok.status, 200, ok.text.slice(0, 300));
    t.deepEqual(ok.body, { accepted: 10_000 });
    const stored = await api.app.databases.get('operations')!.knex('delivery_reports').count({ n: '*' });
    t.is(Number(stored[0]!.n), 10_000);
    const tooMany = await api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows: [...rows, rows[0]] } });
    t.is(tooMany.status, 422);
    t.is(tooMany.body.errors[0].path, '/rows');
    const tooBig = await api.request('PUT', '/v1/delivery-reports', {
      token: ops,
      raw: JSON.stringify({ rows, pad: 'x'.repeat(3_000_000) }),
      headers: { 'content-type': 'application/json' },
    });
    t.is(tooBig.status, 413);
  });

  test(`[${dialect}] an invoiced month is closed to delivery rows (409, nothing written) until the invoice is voided`, async (t) => {
    const { api, ops, seed, billing } = await bootOperations(t, dialect);
    const { publisherId, adUnitId } = await seed();
    const other = await seed();
    const facade = api.app.facades.resolve<Facade<typeof operationsContract>>('operationsFacade');
    // Billing's issue closes the month synchronously, with the figures its draft bills (nothing yet).
    const closed = await facade.closeMonth({ publisherId, period: '2026-03', invoiceId: 'inv_1', fence: 1, expected: [] });
    t.is(closed.outcome, 'closed');
    const operations = api.app.databases.get('operations')!.knex;

    const late = await api.request('PUT', '/v1/delivery-reports', {
      token: ops,
      body: { rows: [row(other.adUnitId, '2026-03-05'), row(adUnitId, '2026-04-01'), row(adUnitId, '2026-03-31')] },
    });
    t.is(late.status, 409);
    t.is(late.body.code, 'OPERATIONS.PERIOD_CLOSED');
    t.deepEqual(
      late.body.errors.map((e: { path: string }) => e.path),
      ['/rows/2/date'],
    );
    t.is((await operations('delivery_reports').select()).length, 0, 'the other rows were not written either');

    await billing.voidInvoice({
      invoiceId: 'inv_1',
      publisherId,
      period: '2026-03',
      number: 'INV-2026-000001',
      wasIssued: true,
      voidedAt: '2026-04-03T10:00:00.000Z',
    });
    await waitUntil(
      async () => (await operations('month_closes').where({ publisher_id: publisherId }).first())?.invoice_id === null,
      5_000,
      'the month to reopen',
    );
    t.is((await api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows: [row(adUnitId, '2026-03-31')] } })).status, 200);
  });

  test(`[${dialect}] earnings are exact: half-up per app, and a billion-dollar month past 2^53`, async (t) => {
    const { api, ops, finance, seed } = await bootOperations(t, dialect);
    const { publisherId, adUnitId } = await seed();
    const put = (rows: unknown[]) => api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows } });
    await api.request('PATCH', `/v1/publishers/${publisherId}`, { token: ops, body: { revenueShareBps: 5000 } });
    await put([row(adUnitId, '2026-03-01', 10, 0, 3)]); // 3 × 0.5 = 1.5 → 2
    const small = await api.get(`/v1/publishers/${publisherId}/earnings?from=2026-03-01&to=2026-03-31`, finance);
    t.is(small.body.shareMicros, 2);

    const big = await seed();
    await api.request('PATCH', `/v1/publishers/${big.publisherId}`, { token: ops, body: { revenueShareBps: 7001 } });
    // 4 ad units × 31 days of $9,000,000.000017 each: $1,116,000,000.002108 gross
    const units = [big.adUnitId];
    for (const name of ['b', 'c', 'd'])
      units.push((await api.post(`/v1/apps/${big.appId}/ad-units`, { name, format: 'native' }, ops)).body.id);
    const rows = units.flatMap((unit) =>
      Array.from({ length: 31 }, (_, i) => row(unit, `2026-03-${String(i + 1).padStart(2, '0')}`, 1e9, 1e6, 9_000_000_000_017)),
    );
    t.is((await put(rows)).status, 200);
    const earnings = await api.get(`/v1/publishers/${big.publisherId}/earnings?from=2026-03-01&to=2026-03-31`, finance);
    const gross = 9_000_000_000_017n * 124n;
    t.true(gross * 7001n > BigInt(Number.MAX_SAFE_INTEGER));
    t.is(earnings.body.grossMicros, Number(gross));
    // 1,116,000,000,002,108 × 7001 / 10^4 = 781,311,600,001,475.8108 → …476
    t.is(earnings.body.shareMicros, 781_311_600_001_476);
  });

  test(`[${dialect}] earnings and delivery input errors`, async (t) => {
    const { api, ops, finance, seed } = await bootOperations(t, dialect);
    const { publisherId } = await seed();
    t.is((await api.get(`/v1/publishers/${publisherId}/earnings?from=2026-03-31&to=2026-03-01`, finance)).status, 422);
    t.is((await api.get(`/v1/publishers/${publisherId}/earnings?from=2026-02-30&to=2026-03-01`, finance)).status, 422);
    t.is((await api.get(`/v1/publishers/${publisherId}/earnings`, finance)).status, 422);
    t.is((await api.get('/v1/publishers/pub_unknown/earnings?from=2026-03-01&to=2026-03-02', finance)).status, 404);
    t.is((await api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows: [] } })).status, 422);
    t.is((await api.request('PUT', '/v1/delivery-reports', { token: finance, body: { rows: [] } })).status, 403);
  });
}
