import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { bootBilling, type BillingTestApp } from './billingApp.ts';

/** An issued invoice of 700 cents (10 USD at 70%). */
async function issuedInvoice(billing: BillingTestApp, name = 'payee') {
  const id = await billing.earner(name, 10_000_000);
  await billing.run();
  const draft = await billing.draftOf(id);
  return (await billing.issue(draft.id)).body;
}

for (const dialect of dialects) {
  test(`[${dialect}] payments: the same reference is the same payment (200), another amount under it 409, overpayment 422`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const { api, finance } = billing;
    const invoice = await issuedInvoice(billing);
    const path = `/v1/invoices/${invoice.id}/payments`;
    const pay = (body: unknown, token = finance) => api.post(path, body, token);

    const first = await pay({ amountMinor: 300, paidOn: '2026-04-10', bankReference: 'SEPA-1' });
    t.is(first.status, 201);
    t.like(first.body, { amountMinor: 300, currency: 'USD', paidOn: '2026-04-10', bankReference: 'SEPA-1' });
    const repeat = await pay({ amountMinor: 300, paidOn: '2026-04-10', bankReference: 'SEPA-1' });
    t.is(repeat.status, 200);
    t.deepEqual(repeat.body, first.body);
    const reused = await pay({ amountMinor: 301, paidOn: '2026-04-10', bankReference: 'SEPA-1' });
    t.is(reused.status, 409);
    t.is(reused.body.code, 'BILLING.PAYMENT_REFERENCE_REUSED');
    t.is((await pay({ amountMinor: 300, paidOn: '2026-04-11', bankReference: 'SEPA-1' })).status, 409);

    const over = await pay({ amountMinor: 401, paidOn: '2026-04-12', bankReference: 'SEPA-2' });
    t.is(over.status, 422);
    t.is(over.body.code, 'BILLING.OVERPAYMENT');
    t.deepEqual(over.body.errors, [{ path: '/amountMinor', message: 'must not exceed the outstanding 400' }]);
    t.like((await api.get(`/v1/invoices/${invoice.id}`, finance)).body, { status: 'issued', paidMinor: 300 });

    const rest = await pay({ amountMinor: 400, paidOn: '2026-04-12', bankReference: 'SEPA-2' });
    t.is(rest.status, 201);
    t.like((await api.get(`/v1/invoices/${invoice.id}`, finance)).body, { status: 'paid', paidMinor: 700 });
    // A retry of a payment that completed the invoice still answers with that payment.
    t.is((await pay({ amountMinor: 400, paidOn: '2026-04-12', bankReference: 'SEPA-2' })).status, 200);
    const late = await pay({ amountMinor: 1, paidOn: '2026-04-13', bankReference: 'SEPA-3' });
    t.is(late.status, 409);
    t.is(late.body.code, 'BILLING.INVOICE_NOT_PAYABLE');
    t.is((await billing.db('payments').where({ invoice_id: invoice.id })).length, 2);
    t.is((await billing.db('outbox').where({ name: 'billing.InvoicePaid' })).length, 1, 'one InvoicePaid');
  });

  test(`[${dialect}] payments: only on issued invoices (409), validated (422), 404, 401 and 403`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const { api, finance, ops } = billing;
    const id = await billing.earner('drafty', 10_000_000);
    await billing.run();
    const draft = await billing.draftOf(id);
    const ok = { amountMinor: 100, paidOn: '2026-04-10', bankReference: 'R' };
    const onDraft = await api.post(`/v1/invoices/${draft.id}/payments`, ok, finance);
    t.is(onDraft.status, 409);
    t.is(onDraft.body.code, 'BILLING.INVOICE_NOT_PAYABLE');
    await billing.patch(`/v1/invoices/${draft.id}`, { status: 'void' });
    t.is((await api.post(`/v1/invoices/${draft.id}/payments`, ok, finance)).status, 409);

    const invoice = await issuedInvoice(billing, 'valid');
    const path = `/v1/invoices/${invoice.id}/payments`;
    for (const body of [
      { ...ok, amountMinor: 0 },
      { ...ok, amountMinor: -5 },
      { ...ok, amountMinor: 1.5 },
      { ...ok, amountMinor: '100' },
      { ...ok, paidOn: '2026-02-30' },
      { ...ok, paidOn: '10.4.2026' },
      { ...ok, bankReference: '' },
      { amountMinor: 100, paidOn: '2026-04-10' },
      { ...ok, currency: 'EUR' },
    ]) {
      t.is((await api.post(path, body, finance)).status, 422, JSON.stringify(body));
    }
    t.is((await api.post('/v1/invoices/inv_nope/payments', ok, finance)).status, 404);
    t.is((await api.post(path, ok, null)).status, 401);
    t.is((await api.post(path, ok, ops)).status, 403);
    t.is((await api.post(path, ok, await api.token('publisher', invoice.publisherId))).status, 403);
    t.like((await api.get(`/v1/invoices/${invoice.id}`, finance)).body, { paidMinor: 0, version: 2 });
  });

  test(`[${dialect}] concurrent payments: parts that add up to the total make it paid once; one reference sent at once is recorded once`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const { api, finance } = billing;
    const invoice = await issuedInvoice(billing);
    const path = `/v1/invoices/${invoice.id}/payments`;

    const sameRef = await Promise.all(
      Array.from({ length: 5 }, () => api.post(path, { amountMinor: 100, paidOn: '2026-04-10', bankReference: 'DUP' }, finance)),
    );
    t.deepEqual(sameRef.map((r) => r.status).sort(), [200, 200, 200, 200, 201]);
    t.is(new Set(sameRef.map((r) => r.body.id)).size, 1);

    const parts = await Promise.all(
      Array.from({ length: 6 }, (_, i) => api.post(path, { amountMinor: 100, paidOn: '2026-04-11', bankReference: `P${i}` }, finance)),
    );
    t.deepEqual(
      parts.map((r) => r.status),
      [201, 201, 201, 201, 201, 201],
    );
    t.like((await api.get(`/v1/invoices/${invoice.id}`, finance)).body, { status: 'paid', paidMinor: 700 });
    t.is((await billing.db('outbox').where({ name: 'billing.InvoicePaid' })).length, 1, 'one InvoicePaid');
  });

  test(`[${dialect}] payouts: receivedOn and reference, the former names, still work; a paid day in the future, a missing or contradicting field is 422`, async (t) => {
    const billing = await bootBilling(t, dialect, { clock: { now: () => new Date('2026-04-15T10:00:00.000Z') } });
    const { api, finance } = billing;
    const invoice = await issuedInvoice(billing, 'legacy');
    const path = `/v1/invoices/${invoice.id}/payments`;
    const legacy = await api.post(path, { amountMinor: 100, receivedOn: '2026-04-15', reference: 'OLD-1' }, finance);
    t.is(legacy.status, 201, legacy.text);
    t.like(legacy.body, { paidOn: '2026-04-15', bankReference: 'OLD-1', receivedOn: '2026-04-15', reference: 'OLD-1' });
    const same = await api.post(path, { amountMinor: 100, paidOn: '2026-04-15', bankReference: 'OLD-1' }, finance);
    t.is(same.status, 200, 'the same payout under its new names');
    t.is(same.body.id, legacy.body.id);

    const problems = async (body: unknown) => (await api.post(path, body, finance)).body.errors;
    t.deepEqual(await problems({ amountMinor: 1, paidOn: '2026-04-16', bankReference: 'F' }), [
      { path: '/paidOn', message: 'must be between 2000-01-01 and today (2026-04-15, UTC)' },
    ]);
    t.deepEqual(await problems({ amountMinor: 1, receivedOn: '1999-12-31', reference: 'F' }), [
      { path: '/receivedOn', message: 'must be between 2000-01-01 and today (2026-04-15, UTC)' },
    ]);
    t.deepEqual(await problems({ amountMinor: 1 }), [
      { path: '/paidOn', message: 'is required' },
      { path: '/bankReference', message: 'is required' },
    ]);
    t.deepEqual(await problems({ amountMinor: 1, paidOn: '2026-04-10', receivedOn: '2026-04-11', bankReference: 'X' }), [
      { path: '/receivedOn', message: 'is the former name of paidOn and must not differ from it' },
    ]);
    t.is((await billing.db('payments').where({ invoice_id: invoice.id })).length, 1);
  });
}
