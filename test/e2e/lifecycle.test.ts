import test from 'ava';
import { lineMinor } from '../../src/kernel/index.ts';
import { dialects } from '../helpers/databases.ts';
import { bootTopology, eventually, runInvoices, seedPublisher, topologiesFor } from './harness.ts';

for (const dialect of dialects) {
  for (const topology of topologiesFor(dialect)) {
    test(`[${dialect}/${topology}] from a new publisher to a paid invoice and its PDF, with the events in both directions`, async (t) => {
      const api = await bootTopology(t, dialect, topology);
      const [ops, finance] = [await api.token('ops'), await api.token('finance')];
      const { publisherId, appId, adUnitId } = await seedPublisher(api, ops, 1_234_567, 3);
      const portal = await api.token('publisher', publisherId);

      // Operations → Billing: the account opens from PublisherRegistered, and follows PublisherUpdated.
      const account = await eventually(
        () => api.get(`/v1/billing-accounts/${publisherId}`, finance),
        (r) => r.status === 200,
        'the billing account',
      );
      t.like(account.body, { publisherId, currency: 'USD', paymentTermsDays: 30 });
      await api.request('PATCH', `/v1/publishers/${publisherId}`, { token: ops, body: { name: 'Renamed Studio' } });
      await eventually(
        () => api.get(`/v1/billing-accounts/${publisherId}`, finance),
        (r) => r.body.legalName === 'Renamed Studio',
        'the rename to reach Billing',
      );
      const terms = await api.request('PATCH', `/v1/billing-accounts/${publisherId}`, {
        token: finance,
        body: { paymentTermsDays: 14, taxId: 'PL1234567890' },
        headers: { 'if-match': (await api.get(`/v1/billing-accounts/${publisherId}`, finance)).headers.get('etag')! },
      });
      t.is(terms.status, 200);

      // The run drafts an invoice; exact money: one half-up rounding straight from gross.
      const run = await runInvoices(api, finance, '2026-03');
      t.like(run.body, { status: 'succeeded', period: '2026-03' });
      t.true(run.body.created >= 1);
      const list = await api.get(`/v1/invoices?publisherId=${publisherId}&period=2026-03`, finance);
      t.is(list.body.data.length, 1);
      const draft = list.body.data[0];
      t.like(draft, { status: 'draft', number: null, totalMinor: Number(lineMinor(3 * 1_234_567, 7000)), currency: 'USD' });
      t.deepEqual(draft.lines ?? (await api.get(`/v1/invoices/${draft.id}`, finance)).body.lines, [
        {
          appId,
          description: (await api.get(`/v1/publishers/${publisherId}/apps`, ops)).body.data[0].name,
          impressions: 30_000,
          grossMicros: 3 * 1_234_567,
          amountMinor: Number(lineMinor(3 * 1_234_567, 7000)),
        },
      ]);
      t.is((await api.get(`/v1/invoices/${draft.id}`, portal)).status, 404, 'a draft is invisible to its publisher');
      t.is((await api.get(`/v1/invoices/${draft.id}/pdf`, portal)).status, 404);

      // Issue: number, dates, visible to the publisher; Billing → Operations closes March.
      const issued = await api.request('PATCH', `/v1/invoices/${draft.id}`, {
        token: finance,
        body: { status: 'issued' },
        headers: { 'if-match': (await api.get(`/v1/invoices/${draft.id}`, finance)).headers.get('etag')! },
      });
      t.is(issued.status, 200, issued.text);
      t.regex(issued.body.number, /^INV-\d{4}-000001$/);
      t.is(issued.body.dueAt, new Date(Date.parse(issued.body.issuedAt.slice(0, 10)) + 14 * 86_400_000).toISOString().slice(0, 10));
      t.is((await api.request('PATCH', `/v1/invoices/${draft.id}`, { token: finance, body: { status: 'issued' } })).status, 409);
      const late = () =>
        api.request('PUT', '/v1/delivery-reports', {
          token: ops,
          body: { rows: [{ adUnitId, date: '2026-03-20', impressions: 1, clicks: 0, revenueMicros: 1 }] },
        });
      await eventually(late, (r) => r.status === 409, 'March to close in Operations');
      t.is((await api.get(`/v1/invoices`, portal)).body.data.length, 1);
      const pdf = await fetch(`${api.url}/v1/invoices/${draft.id}/pdf`, { headers: { authorization: `Bearer ${portal}` } });
      t.is(pdf.status, 200);
      t.is(pdf.headers.get('content-type'), 'application/pdf');
      t.is(
        Buffer.from(await pdf.arrayBuffer())
          .subarray(0, 5)
          .toString(),
        '%PDF-',
      );

      // Payments: the same reference is the same payment; overpayment refused; the total makes it paid.
      const total = issued.body.totalMinor;
      const first = await api.post(
        `/v1/invoices/${draft.id}/payments`,
        { amountMinor: 100, receivedOn: '2026-04-10', reference: 'BANK-1' },
        finance,
      );
      t.is(first.status, 201);
      const again = await api.post(
        `/v1/invoices/${draft.id}/payments`,
        { amountMinor: 100, receivedOn: '2026-04-10', reference: 'BANK-1' },
        finance,
      );
      t.is(again.body.id, first.body.id);
      t.is(
        (
          await api.post(
            `/v1/invoices/${draft.id}/payments`,
            { amountMinor: total, receivedOn: '2026-04-11', reference: 'BANK-2' },
            finance,
          )
        ).status,
        422,
      );
      t.is(
        (
          await api.post(
            `/v1/invoices/${draft.id}/payments`,
            { amountMinor: total - 100, receivedOn: '2026-04-11', reference: 'BANK-2' },
            finance,
          )
        ).status,
        201,
      );
      const paid = await api.get(`/v1/invoices/${draft.id}`, finance);
      t.like(paid.body, { status: 'paid', paidMinor: total });

      // Billing → Operations again, by events: the dashboard shows the paid invoice and the last payment.
      const dashboard = await eventually(
        () => api.get(`/v1/publishers/${publisherId}/dashboard`, portal),
        (r) => r.body.invoices?.[0]?.status === 'paid',
        'the payment to reach Operations',
      );
      t.not(dashboard.body.lastPaymentAt, null);
      t.like(dashboard.body, { outstandingMinor: 0, currency: 'USD' });
      t.deepEqual(
        dashboard.body.invoices.map((i: { id: string; status: string }) => [i.id, i.status]),
        [[draft.id, 'paid']],
      );
    });

    test(`[${dialect}/${topology}] voiding an issued invoice reopens the month; a re-run drafts anew only there`, async (t) => {
      const api = await bootTopology(t, dialect, topology);
      const [ops, finance] = [await api.token('ops'), await api.token('finance')];
      const a = await seedPublisher(api, ops, 2_000_000, 2);
      const b = await seedPublisher(api, ops, 3_000_000, 2);
      for (const p of [a, b])
        await eventually(
          () => api.get(`/v1/billing-accounts/${p.publisherId}`, finance),
          (r) => r.status === 200,
          'accounts',
        );
      await runInvoices(api, finance, '2026-03');
      const invoiceOf = async (publisherId: string) =>
        (await api.get(`/v1/invoices?publisherId=${publisherId}&period=2026-03`, finance)).body.data;
      const [invoiceA] = await invoiceOf(a.publisherId);
      const [invoiceB] = await invoiceOf(b.publisherId);
      await api.request('PATCH', `/v1/invoices/${invoiceA.id}`, { token: finance, body: { status: 'issued' } });
      await api.request('PATCH', `/v1/invoices/${invoiceB.id}`, { token: finance, body: { status: 'issued' } });
      const late = () =>
        api.request('PUT', '/v1/delivery-reports', {
          token: ops,
          body: { rows: [{ adUnitId: a.adUnitId, date: '2026-03-31', impressions: 5, clicks: 0, revenueMicros: 1_000_000 }] },
        });
      await eventually(late, (r) => r.status === 409, 'March to close');

      const voided = await api.request('PATCH', `/v1/invoices/${invoiceA.id}`, {
        token: finance,
        body: { status: 'void', reason: 'late data' },
      });
      t.is(voided.status, 200);
      t.is(voided.body.status, 'void');
      t.is(
        (await api.request('PATCH', `/v1/invoices/${invoiceA.id}`, { token: finance, body: { status: 'issued' } })).status,
        409,
        'void is final',
      );
      await eventually(late, (r) => r.status === 200, 'March to reopen');

      const rerun = await runInvoices(api, finance, '2026-03');
      t.is(rerun.body.status, 'succeeded');
      const nowA = await invoiceOf(a.publisherId);
      t.deepEqual(nowA.map((i: { status: string }) => i.status).sort(), ['draft', 'void']);
      const fresh = nowA.find((i: { status: string }) => i.status === 'draft');
      t.is(fresh.totalMinor, Number(lineMinor(5_000_000, 7000)), 'the new draft includes the late row');
      const nowB = await invoiceOf(b.publisherId);
      t.deepEqual(
        nowB.map((i: { id: string; status: string }) => [i.id, i.status]),
        [[invoiceB.id, 'issued']],
        'issued invoices are never touched',
      );
    });
  }
}
