import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { PERIOD, bootBilling } from './billingApp.ts';

for (const dialect of dialects) {
  test(`[${dialect}] a publisher sees only its own issued and paid invoices and their PDFs; everything else is 404 or 403, whatever the filters`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const { api, stub, finance } = billing;
    const mine = await billing.publisher('mine');
    const theirs = await billing.publisher('theirs');
    for (const period of ['2026-01', '2026-02', PERIOD]) {
      for (const id of [mine, theirs])
        stub.setEarnings(period, id, [{ appId: 'app_1', name: 'Game', impressions: 1, grossMicros: 10_000_000 }]);
      await billing.run(period);
    }
    const invoice = async (id: string, period: string) => (await billing.invoicesOf(id)).find((i) => i.period === period);
    // Mine: 2026-01 paid, 2026-02 issued, 2026-03 draft; theirs: 2026-02 issued, the rest drafts; plus a void one of mine.
    const paid = await invoice(mine, '2026-01');
    await billing.issue(paid.id);
    await api.post(`/v1/invoices/${paid.id}/payments`, { amountMinor: 700, receivedOn: '2026-04-01', reference: 'R' }, finance);
    const issued = await invoice(mine, '2026-02');
    await billing.issue(issued.id);
    const draft = await invoice(mine, PERIOD);
    const othersIssued = await invoice(theirs, '2026-02');
    await billing.issue(othersIssued.id);
    const othersDraft = await invoice(theirs, PERIOD);
    stub.setEarnings('2025-12', mine, [{ appId: 'app_1', name: 'Game', impressions: 1, grossMicros: 10_000_000 }]);
    await billing.run('2025-12');
    const voided = await invoice(mine, '2025-12');
    await billing.issue(voided.id);
    await billing.patch(`/v1/invoices/${voided.id}`, { status: 'void' });

    const me = await api.token('publisher', mine);
    const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((i) => i.id);
    t.deepEqual(ids(await api.get('/v1/invoices', me)), [issued.id, paid.id]);
    t.deepEqual(ids(await api.get('/v1/invoices?status=paid', me)), [paid.id]);
    for (const query of [
      'status=draft',
      'status=void',
      `publisherId=${theirs}`,
      `publisherId=${theirs}&status=issued`,
      `period=${PERIOD}`,
    ]) {
      const res = await api.get(`/v1/invoices?${query}`, me);
      t.is(res.status, 200, query);
      t.deepEqual(ids(res), [], query);
    }
    t.deepEqual(ids(await api.get(`/v1/invoices?publisherId=${mine}&period=2026-02`, me)), [issued.id]);

    for (const visible of [paid, issued]) {
      t.is((await api.get(`/v1/invoices/${visible.id}`, me)).status, 200);
      const pdf = await fetch(`${api.url}/v1/invoices/${visible.id}/pdf`, { headers: { authorization: `Bearer ${me}` } });
      t.is(pdf.status, 200);
      t.is(pdf.headers.get('content-type'), 'application/pdf');
    }
    for (const hidden of [draft, voided, othersIssued, othersDraft, { id: 'inv_nope' }]) {
      const res = await api.get(`/v1/invoices/${hidden.id}`, me);
      t.is(res.status, 404, hidden.id);
      t.is(res.body.code, 'BILLING.INVOICE_NOT_FOUND', 'the same answer as for an id that does not exist');
      const pdf = await fetch(`${api.url}/v1/invoices/${hidden.id}/pdf`, { headers: { authorization: `Bearer ${me}` } });
      t.is(pdf.status, 404, `${hidden.id} pdf`);
    }

    // Writing and the finance-only resources are refused outright.
    t.is((await billing.patch(`/v1/invoices/${draft.id}`, { status: 'issued' }, me)).status, 403);
    t.is(
      (await api.post(`/v1/invoices/${issued.id}/payments`, { amountMinor: 1, receivedOn: '2026-04-01', reference: 'X' }, me)).status,
      403,
    );
    t.is((await api.get(`/v1/billing-accounts/${mine}`, me)).status, 403);
    t.is((await billing.patch(`/v1/billing-accounts/${mine}`, { taxId: 'X' }, me)).status, 403);
    t.is((await api.post('/v1/invoice-runs', { period: PERIOD }, me)).status, 403);
    t.is((await api.get('/v1/invoice-runs/run_x', me)).status, 403);
    t.is((await api.get(`/v1/invoices/${draft.id}`, finance)).status, 200, 'finance sees drafts');
  });
}
