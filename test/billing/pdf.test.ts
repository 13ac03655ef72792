import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { PERIOD, bootBilling, type BillingTestApp } from './billingApp.ts';
import { pageCount, pdfPage, pdfText } from './pdfText.ts';

async function download(billing: BillingTestApp, invoiceId: string, token: string | null = billing.finance) {
  const res = await fetch(`${billing.api.url}/v1/invoices/${invoiceId}/pdf`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), body, json: () => JSON.parse(body.toString('utf8')) };
}

const ISSUER = {
  SEAMS_BILLING_ISSUER_NAME: 'Seams Ad Network Oy',
  SEAMS_BILLING_ISSUER_ADDRESS: 'Mannerheimintie 1 | 00100 Helsinki | Finland',
  SEAMS_BILLING_ISSUER_TAX_ID: 'FI99887766',
  SEAMS_BILLING_ISSUER_EMAIL: 'payouts@seams.example',
};

/** Collapses the layout's runs of spaces, so a phrase can be looked for across columns. */
const flat = (text: string) => text.replace(/[ \t]+/g, ' ');

for (const dialect of dialects) {
  test(`[${dialect}] PDF: a self-billing invoice in any script: the publisher supplies, the company pays, per-app gross, rate and share; byte-identical and frozen at issue`, async (t) => {
    const billing = await bootBilling(t, dialect, { env: ISSUER });
    const id = await billing.earner('Pixel Forge', 0, {
      apps: [
        { appId: 'app_1', name: 'Танки 坦克', impressions: 1_234_567, grossMicros: 1_500_000_000 },
        { appId: 'app_2', name: 'Asteroids', impressions: 89, grossMicros: 2_000_000 },
      ],
    });
    await billing.patch(`/v1/billing-accounts/${id}`, {
      legalName: 'Пиксель Кузница 株式会社',
      taxId: 'RU7701234567',
      address: 'ул. Тверская, 1\nМосква 125009\nRussia',
      paymentTermsDays: 45,
    });
    await billing.run();
    const draft = await billing.draftOf(id);
    const issued = (await billing.issue(draft.id)).body;

    const pdf = await download(billing, draft.id);
    t.is(pdf.status, 200);
    t.is(pdf.type, 'application/pdf');
    t.true(pdf.body.length < 60_000, `only the glyphs used are embedded (${pdf.body.length} bytes)`);
    const text = flat(pdfText(pdf.body));
    const issueDay = Number(issued.issuedAt.slice(8, 10));
    for (const expected of [
      `Self-billing invoice ${issued.number}`,
      'Issued by the customer on behalf of the supplier (self-billing)',
      'Supplier (publisher)',
      'Пиксель Кузница 株式会社',
      'ул. Тверская, 1',
      'Tax id: RU7701234567',
      'Customer',
      'Seams Ad Network Oy',
      'Mannerheimintie 1',
      'Tax id: FI99887766',
      `Amount payable to Пиксель Кузница 株式会社: 1,051.40 USD`,
      `Issue date: ${issueDay} `,
      'Period: 1–31 March 2026',
      'Танки 坦克 1,234,567 1,500.00 70.00% 1,050.00',
      'Asteroids 89 2.00 70.00% 1.40',
      'Total 1,502.00 1,051.40',
      'Balance payable to the publisher 1,051.40 USD',
      'within 45 days of the issue date',
      'March 2026',
    ]) {
      t.true(text.includes(expected), `the PDF shows "${expected}"`);
    }
    t.false(/Bill to|Balance due/.test(text), 'nothing says the publisher owes the company');

    const page = pdfPage(pdf.body);
    t.is(page.subarray(1, 4).toString(), 'PNG');
    fs.mkdirSync('test/artifacts', { recursive: true });
    fs.writeFileSync(path.join('test/artifacts', `invoice-${dialect}.png`), page);

    const again = await download(billing, draft.id);
    t.true(again.body.equals(pdf.body), 'byte-identical');
    // Later edits of the account do not rewrite an issued invoice.
    await billing.patch(`/v1/billing-accounts/${id}`, { legalName: 'Someone Else Ltd' });
    t.true((await download(billing, draft.id)).body.equals(pdf.body), 'still byte-identical');
    t.is(PERIOD, '2026-03');
  });

  test(`[${dialect}] PDF: drafts have none (409 for finance), void and paid invoices render, long invoices span pages`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const apps = Array.from({ length: 80 }, (_, i) => ({
      appId: `app_${String(i).padStart(3, '0')}`,
      name: `Game ${i}`,
      impressions: 10,
      grossMicros: 1_000_000,
    }));
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
    t.true(pageCount(long.body) >= 2, 'more than one page');
    t.true(pdfText(long.body).includes('Game 79'));

    const voidDraft = await billing.draftOf(voidOne);
    await billing.patch(`/v1/invoices/${voidDraft.id}`, { status: 'void', reason: 'test' });
    const voided = await download(billing, voidDraft.id);
    t.is(voided.status, 200);
    t.true(pdfText(voided.body).includes('Status: Void'));
  });
}
