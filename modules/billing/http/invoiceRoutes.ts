/** Invoices over HTTP: finance runs their lifecycle and records payments; ops reads; a publisher reads its own published ones. */
import { Page, etag, expectedVersion, route } from '../../../src/kernel/index.ts';
import type { InvoiceIssue } from '../invoiceIssue.ts';
import type { InvoiceLifecycle } from '../invoiceLifecycle.ts';
import type { Invoices } from '../invoices.ts';
import type { Payments } from '../payments.ts';
import { issuerOf, type BillingSettings } from '../settings.ts';
import { draftHasNoPdf, reasonOnlyForVoid } from '../errors.ts';
import { IdParams, Invoice, InvoiceListQuery, InvoicePatch, Payment, PaymentInput } from './schemas.ts';

export interface InvoiceRoutesDeps {
  invoices: Invoices;
  invoiceLifecycle: InvoiceLifecycle;
  invoiceIssue: InvoiceIssue;
  payments: Payments;
  settings: BillingSettings;
}

export function invoiceRoutes({ invoices, invoiceLifecycle, invoiceIssue, payments, settings }: InvoiceRoutesDeps) {
  const issuer = issuerOf(settings);
  return [
    route({
      method: 'get',
      path: '/v1/invoices',
      summary: 'Invoices, newest period first; a publisher sees only its own issued and paid ones',
      roles: ['finance', 'ops', 'publisher'],
      query: InvoiceListQuery,
      responses: { 200: Page(Invoice) },
      handler: async ({ query, caller }) => ({ body: await invoices.list(caller, query) }),
    }),
    route({
      method: 'get',
      path: '/v1/invoices/:id',
      summary: 'One invoice with its lines',
      roles: ['finance', 'ops', 'publisher'],
      params: IdParams,
      responses: { 200: Invoice },
      handler: async ({ params, caller }) => {
        const invoice = await invoices.get(caller, params.id);
        return { body: invoice, headers: { etag: etag(invoice.version) } };
      },
    }),
    route({
      method: 'patch',
      path: '/v1/invoices/:id',
      summary: 'Issue or void an invoice (draft → issued → paid; draft or issued → void); issuing refuses a stale draft',
      roles: ['finance'],
      params: IdParams,
      body: InvoicePatch,
      responses: { 200: Invoice },
      errors: [409, 412, 422, 503],
      handler: async (request) => {
        const { status, reason } = request.body;
        const { id } = request.params;
        if (status !== 'void' && reason !== undefined) throw reasonOnlyForVoid();
        const invoice =
          status === 'issued'
            ? await invoiceIssue.issue(id, expectedVersion(request))
            : await invoiceLifecycle.void(id, reason ?? null, expectedVersion(request));
        return { body: invoice, headers: { etag: etag(invoice.version) } };
      },
    }),
    route({
      method: 'post',
      path: '/v1/invoices/:id/payments',
      summary: 'Record a payment: 201 when new, 200 with the same payment when its reference was already recorded',
      roles: ['finance'],
      params: IdParams,
      body: PaymentInput,
      responses: { 200: Payment, 201: Payment },
      errors: [409, 422],
      handler: async ({ params, body, caller }) => {
        const { payment, created } = await payments.record(caller, params.id, body);
        return { status: created ? 201 : 200, body: payment };
      },
    }),
    route({
      method: 'get',
      path: '/v1/invoices/:id/pdf',
      summary: 'The invoice document (not for drafts)',
      roles: ['finance', 'ops', 'publisher'],
      params: IdParams,
      responses: { 200: 'binary' },
      errors: [409],
      handler: async ({ params, caller }) => {
        const invoice = await invoices.get(caller, params.id);
        if (invoice.status === 'draft') throw draftHasNoPdf();
        const name = invoice.number ?? invoice.id;
        return {
          body: await (await import('../invoicePdf.ts')).renderInvoicePdf(invoice, issuer), // pdfkit loads on the first document
          type: 'application/pdf',
          headers: { 'content-disposition': `inline; filename="${name}.pdf"`, etag: etag(invoice.version) },
        };
      },
    }),
  ];
}
