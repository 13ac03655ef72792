/**
 * Money across the module boundary, end to end: an issued invoice bills
 * exactly the delivery Operations accepted for its month, whatever the timing,
 * and no row changes that month after the issue answers — in the monolith and
 * with Operations and Billing as two processes.
 */
import test from 'ava';
import { lineMinor } from '../../src/kernel/index.ts';
import { dialects } from '../helpers/databases.ts';
import { bootTopology, deliveryRow, eventually, issueUntilDone, newPublisher, runInvoices, type TopologyClient } from './harness.ts';

const TOPOLOGIES = ['monolith', 'split'] as const;
async function tokens(api: TopologyClient) {
  return { ops: await api.token('ops'), finance: await api.token('finance') };
}

for (const dialect of dialects) {
  for (const topology of TOPOLOGIES) {
    const title = (what: string) => `[${dialect}/${topology}] ${what}`;

    test(
      title(
        'a stale draft is never issued: a row accepted after the run makes the issue 409 with the fresh total, and the refreshed draft bills all of it',
      ),
      async (t) => {
        const api = await bootTopology(t, dialect, topology);
        const { ops, finance } = await tokens(api);
        const { publisherId, adUnitId } = await newPublisher(api, ops);
        await eventually(
          () => api.get(`/v1/billing-accounts/${publisherId}`, finance),
          (r) => r.status === 200,
          'the billing account',
        );
        const put = (rows: unknown[]) => api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows } });
        t.is((await put([deliveryRow(adUnitId, '2025-10-01', 100_000_000)])).status, 200);
        await runInvoices(api, finance, '2025-10');
        const [draft] = (await api.get(`/v1/invoices?publisherId=${publisherId}&period=2025-10`, finance)).body.data;
        t.is(draft.totalMinor, 7_000);
        t.is((await put([deliveryRow(adUnitId, '2025-10-02', 900_000_000)])).status, 200);

        const stale = await api.request('PATCH', `/v1/invoices/${draft.id}`, { token: finance, body: { status: 'issued' } });
        t.is(stale.status, 409);
        t.is(stale.body.code, 'BILLING.INVOICE_DRAFT_STALE');
        t.regex(stale.body.detail, /now comes to 70000 cents/);
        const issued = await api.request('PATCH', `/v1/invoices/${draft.id}`, { token: finance, body: { status: 'issued' } });
        t.is(issued.status, 200, issued.text);
        t.is(issued.body.totalMinor, 70_000);
        const earnings = await api.get(`/v1/publishers/${publisherId}/earnings?from=2025-10-01&to=2025-10-31`, finance);
        t.is(earnings.body.shareMicros, 700_000_000, '/earnings and the invoice agree');
        const late = await put([deliveryRow(adUnitId, '2025-10-03', 1)]);
        t.is(late.status, 409, 'the month closed before the issue answered');
      },
    );

    test(
      title('writers racing concurrent issues: the issued invoice bills every row answered 200, and every row after it is 409'),
      async (t) => {
        const api = await bootTopology(t, dialect, topology, { measured: false });
        const { ops, finance } = await tokens(api);
        const { publisherId, adUnitId } = await newPublisher(api, ops);
        await eventually(
          () => api.get(`/v1/billing-accounts/${publisherId}`, finance),
          (r) => r.status === 200,
          'the billing account',
        );
        const put = (rows: unknown[]) => api.request('PUT', '/v1/delivery-reports', { token: ops, body: { rows } });
        await put([deliveryRow(adUnitId, '2025-11-01', 1_000_000)]);
        await runInvoices(api, finance, '2025-11');

        const writes = Array.from({ length: 24 }, (_, i) =>
          deliveryRow(adUnitId, `2025-11-${String(i + 2).padStart(2, '0')}`, 1_000_000 + i * 7_919),
        );
        const [answers, ...issues] = await Promise.all([
          Promise.all(writes.map((row) => put([row]).then((res) => ({ row, status: res.status, text: res.text })))),
          issueUntilDone(api, finance, publisherId, '2025-11'),
          issueUntilDone(api, finance, publisherId, '2025-11'),
        ]);
        for (const answer of answers) t.true([200, 409].includes(answer.status), answer.text);
        const accepted = [1_000_000, ...answers.filter((a) => a.status === 200).map((a) => a.row.revenueMicros)];
        const issued =
          issues.find((i) => i !== null) ??
          (await api.get(`/v1/invoices?publisherId=${publisherId}&period=2025-11&status=issued`, finance)).body.data[0];
        t.is(
          issued.totalMinor,
          Number(
            lineMinor(
              accepted.reduce((a, b) => a + b, 0),
              7000,
            ),
          ),
          `${accepted.length} rows accepted`,
        );
        const earnings = await api.get(`/v1/publishers/${publisherId}/earnings?from=2025-11-01&to=2025-11-30`, finance);
        t.is(
          earnings.body.grossMicros,
          accepted.reduce((a, b) => a + b, 0),
          'rows answered 409 were not written',
        );
        t.is((await put([deliveryRow(adUnitId, '2025-11-30', 5)])).status, 409);
        t.is((await api.get(`/v1/invoices?publisherId=${publisherId}&period=2025-11`, finance)).body.data.length, 1, 'one invoice');
      },
    );

    test(title('a month that has not ended (UTC) can be neither run nor issued'), async (t) => {
      const api = await bootTopology(t, dialect, topology);
      const { finance } = await tokens(api);
      const current = new Date().toISOString().slice(0, 7);
      const run = await api.post('/v1/invoice-runs', { period: current }, finance);
      t.is(run.status, 422);
      t.is(run.body.code, 'BILLING.PERIOD_NOT_ENDED');
    });

    test(
      title(
        'one publisher whose month cannot be invoiced does not sink the run: it is listed as failed with its reason, the rest are invoiced',
      ),
      async (t) => {
        const api = await bootTopology(t, dialect, topology);
        const { ops, finance } = await tokens(api);
        const good = await newPublisher(api, ops);
        const huge = await newPublisher(api, ops);
        await eventually(
          () => api.get(`/v1/billing-accounts/${huge.publisherId}`, finance),
          (r) => r.status === 200,
          'the billing account',
        );
        t.is(
          (
            await api.request('PUT', '/v1/delivery-reports', {
              token: ops,
              body: { rows: [deliveryRow(good.adUnitId, '2025-09-01', 5_000_000)] },
            })
          ).status,
          200,
        );
        // Rows from before the bounds existed: two of 2^53 - 1 micros, planted where the API would refuse them.
        await api.operationsDb('delivery_reports').insert(
          ['2025-09-01', '2025-09-02'].map((day) => ({
            ad_unit_id: huge.adUnitId,
            day,
            impressions: 1,
            clicks: 0,
            revenue_micros: Number.MAX_SAFE_INTEGER,
          })),
        );
        const run = await runInvoices(api, finance, '2025-09');
        t.like(run.body, { status: 'succeeded', created: 1, failed: 1 });
        t.is(run.body.failures.length, 1);
        t.like(run.body.failures[0], { publisherId: huge.publisherId, code: 'OPERATIONS.TOTAL_TOO_LARGE' });
        t.is((await api.get(`/v1/invoices?publisherId=${good.publisherId}&period=2025-09`, finance)).body.data.length, 1);
      },
    );
  }
}
