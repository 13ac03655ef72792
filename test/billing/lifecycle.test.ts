import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { PERIOD, bootBilling } from './billingApp.ts';

for (const dialect of dialects) {
  test(`[${dialect}] the whole lifecycle over HTTP: account from the event, run, draft, issue, payments, paid`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const { api, finance, stub } = billing;
    const publisherId = await billing.publisher('Acme Games', { contactEmail: 'money@acme.example', revenueShareBps: 7000 });

    const account = await api.get(`/v1/billing-accounts/${publisherId}`, finance);
    t.is(account.status, 200);
    t.like(account.body, {
      publisherId,
      legalName: 'Acme Games',
      billingEmail: 'money@acme.example',
      currency: 'USD',
      paymentTermsDays: 30,
      taxId: null,
      version: 1,
    });
    t.is(account.headers.get('etag'), '"1"');

    stub.setEarnings(PERIOD, publisherId, [
      { appId: 'app_b', name: 'Bubble Pop', impressions: 2_000, grossMicros: 10_000_000 },
      { appId: 'app_a', name: 'Asteroids', impressions: 500, grossMicros: 3_333_333 },
      { appId: 'app_c', name: 'Nothing Earned', impressions: 10, grossMicros: 0 },
    ]);
    const run = await billing.run();
    t.like(run, { period: PERIOD, status: 'succeeded', total: 1, processed: 1, created: 1, updated: 0, skipped: 0, failed: 0 });
    t.truthy(run.startedAt);
    t.truthy(run.finishedAt);

    const draft = await billing.draftOf(publisherId);
    t.like(draft, {
      publisherId,
      period: PERIOD,
      status: 'draft',
      number: null,
      currency: 'USD',
      paidMinor: 0,
      issuedAt: null,
      dueAt: null,
      version: 1,
    });
    // 10 USD × 70% = 700 cents; 3.333333 USD × 70% = 233.33331 → 233 cents; total = sum of lines.
    t.deepEqual(draft.lines, [
      { appId: 'app_a', description: 'Asteroids', impressions: 500, grossMicros: 3_333_333, amountMinor: 233 },
      { appId: 'app_b', description: 'Bubble Pop', impressions: 2_000, grossMicros: 10_000_000, amountMinor: 700 },
    ]);
    t.is(draft.totalMinor, 933);

    const issued = await billing.issue(draft.id, { 'if-match': '"1"' });
    t.is(issued.status, 200);
    t.regex(issued.body.number, /^INV-\d{4}-000001$/);
    t.is(issued.body.status, 'issued');
    t.is(issued.headers.get('etag'), '"2"');
    const issueDay = issued.body.issuedAt.slice(0, 10);
    const due = new Date(`${issueDay}T00:00:00Z`);
    due.setUTCDate(due.getUTCDate() + 30);
    t.is(issued.body.dueAt, due.toISOString().slice(0, 10));
    t.deepEqual(issued.body.billTo, {
      legalName: 'Acme Games',
      billingEmail: 'money@acme.example',
      taxId: null,
      address: null,
      paymentTermsDays: 30,
    });

    const first = await api.post(
      `/v1/invoices/${draft.id}/payments`,
      { amountMinor: 900, receivedOn: '2026-04-20', reference: 'BANK-1' },
      finance,
    );
    t.is(first.status, 201);
    t.like(first.body, { invoiceId: draft.id, amountMinor: 900, currency: 'USD', receivedOn: '2026-04-20', reference: 'BANK-1' });
    const partly = await api.get(`/v1/invoices/${draft.id}`, finance);
    t.like(partly.body, { status: 'issued', paidMinor: 900, paidAt: null });

    const rest = await api.post(
      `/v1/invoices/${draft.id}/payments`,
      { amountMinor: 33, receivedOn: '2026-04-21', reference: 'BANK-2' },
      finance,
    );
    t.is(rest.status, 201);
    const paid = await api.get(`/v1/invoices/${draft.id}`, finance);
    t.like(paid.body, { status: 'paid', paidMinor: 933, totalMinor: 933 });
    t.truthy(paid.body.paidAt);

    const events = await billing.received(2);
    t.deepEqual(
      events.map((e) => e.name),
      ['billing.InvoiceIssued', 'billing.InvoicePaid'],
    );
    t.deepEqual(events[0]!.payload, {
      invoiceId: draft.id,
      publisherId,
      period: PERIOD,
      number: issued.body.number,
      totalMinor: 933,
      currency: 'USD',
      issuedAt: issued.body.issuedAt,
      dueAt: issued.body.dueAt,
    });
    t.deepEqual(events[1]!.payload, {
      invoiceId: draft.id,
      publisherId,
      period: PERIOD,
      number: issued.body.number,
      totalMinor: 933,
      currency: 'USD',
      paidAt: paid.body.paidAt,
    });
    t.is(events[0]!.aggregateId, publisherId);
  });
}
