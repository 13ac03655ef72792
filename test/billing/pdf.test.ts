import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { PERIOD, bootBilling, type BillingTestApp } from './billingApp.ts';
import { pdfText } from './pdfText.ts';

async function download(billing: BillingTestApp, invoiceId: string, token: string | null = billing.finance) {
  const res = await fetch(`${billing.api.url}/v1/invoices/${invoiceId}/pdf`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), body, json: () => JSON.parse(body.toString('utf8')) };
}

for (const dialect of dialects) {
  test(`[${dialect}] PDF: a real invoice document, byte-identical every time, frozen at issue`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const id = await billing.earner('Acme Games', 0, {
      apps: [
        { appId: 'app_1', name: 'Bubble Pop', impressions: 1_234_567, grossMicros: 1_500_000_000 },
        { appId: 'app_2', name: 'Asteroids', impressions: 89, grossMicros: 2_000_000 },
      ],
    });
    await billing.patch(`/v1/billing-accounts/${id}`, { legalName: 'Acme Games Oy', taxId: 'FI12345678', paymentTermsDays: 45 });
    await billing.run();
    const draft = await billing.draftOf(id);
    const issued = (await billing.issue(draft.id)).body;

    const pdf = await download(billing, draft.id);
    t.is(pdf.status, 200);
    t.is(pdf.type, 'application/pdf');
    t.is(pdf.body.subarray(0, 5).toString(), '%PDF-');
    const text = pdfText(pdf.body);
    for (const expected of [
      'seams ad network',
      `Invoice ${issued.number}`,
      'Acme Games Oy',
      'acme.games@example.com',
      'Tax id: FI12345678',
      `Issue date: ${issued.issuedAt.slice(0, 10)}`,
      `Due date: ${issued.dueAt}`,
      `Period: ${PERIOD}`,
      'Bubble Pop',
      '1,234,567',
      '1,050.00', // 1,500 USD × 70%
      '1.40',
      '1,051.40 USD',
      'Balance due',
    ]) {
      t.true(text.some((s) => s.includes(expected)), `the PDF shows "${expected}"`);
    }
    t.true(pdf.body.includes(`Invoice ${issued.number}`), 'the number is in the document info too');

    const again = await download(billing, draft.id);
    t.true(again.body.equals(pdf.body), 'byte-identical');
    // Later edits of the account do not rewrite an issued invoice.
    await billing.patch(`/v1/billing-accounts/${id}`, { legalName: 'Someone Else Ltd' });
    t.true((await download(billing, draft.id)).body.equals(pdf.body), 'still byte-identical');
  });

  test(`[${dialect}] PDF: drafts have none (409 for finance), void and paid invoices render, long invoices span pages`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const apps = Array.from({ length: 80 }, (_, i) => ({ appId: `app_${String(i).padStart(3, '0')}`, name: `Game ${i}`, impressions: 10, grossMicros: 1_000_000 }));
    const many = await billing.earner('many', 0, { apps });
    const voidOne = await billing.earner('void', 1_000_000);
    await billing.run();
    const draft = await billing.draftOf(many);
    const refused = await download(billing, draft.id);
    t.is(refused.status, 409);
    t.is(refused.json().code, 'BILLING.INVOICE_NOT_ISSUED');
    t.is((await download(billing, draft.id, billing.ops)).status, 409);
    t.is((await download(billing, 'inv_nope')).status, 404);
    t.is((await download(billing, draft.id, null)).status, 401);

    await billing.issue(draft.id);
    const long = await download(billing, draft.id, billing.ops);
    t.is(long.status, 200);
    t.true((long.body.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length >= 2, 'more than one page');
    t.true(pdfText(long.body).some((s) => s.includes('Game 79')));

    const voidDraft = await billing.draftOf(voidOne);
    await billing.patch(`/v1/invoices/${voidDraft.id}`, { status: 'void', reason: 'test' });
    const voided = await download(billing, voidDraft.id);
    t.is(voided.status, 200);
    t.true(pdfText(voided.body).some((s) => s.includes('Status: Void')));
  });
}
