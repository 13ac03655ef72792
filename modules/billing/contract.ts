/**
 * What Billing offers other modules: a publisher's invoices and balance through
 * a batched facade, and events when invoices are issued, voided or paid.
 */
import { Month, Nullable, Strict, Timestamp, Type, defineContract, defineEvent, defineMethod, type Static } from '../../src/kernel/index.ts';

const Minor = Type.Integer({ minimum: 0, description: 'amount in minor units (cents)' });

export const InvoiceSummary = Type.Object({
  id: Type.String(),
  number: Type.String(),
  period: Month,
  status: Type.Union([Type.Literal('issued'), Type.Literal('paid')]),
  currency: Type.String(),
  totalMinor: Minor,
  paidMinor: Minor,
  issuedAt: Timestamp,
  dueAt: Type.String({ description: 'due day, YYYY-MM-DD' }),
});

export const BillingSummary = Type.Object({
  publisherId: Type.String(),
  currency: Type.String(),
  /** Issued, unpaid amounts: total − paid over issued invoices. */
  outstandingMinor: Minor,
  /** The latest issued or paid invoices, newest first. */
  invoices: Type.Array(InvoiceSummary),
});
export type BillingSummary = Static<typeof BillingSummary>;

const InvoiceFacts = {
  invoiceId: Type.String(),
  publisherId: Type.String(),
  period: Month,
};

export const InvoiceIssued = defineEvent({
  name: 'billing.InvoiceIssued',
  version: 1,
  description: "An invoice was issued: its publisher's month is closed to new delivery data.",
  payload: Strict({ ...InvoiceFacts, number: Type.String(), totalMinor: Minor, currency: Type.String(), issuedAt: Timestamp, dueAt: Type.String() }),
  aggregateId: (p) => p.publisherId,
});

export const InvoiceVoided = defineEvent({
  name: 'billing.InvoiceVoided',
  version: 1,
  description: 'An invoice was voided; if it had been issued, its month reopens.',
  payload: Strict({ ...InvoiceFacts, number: Nullable(Type.String()), wasIssued: Type.Boolean(), voidedAt: Timestamp }),
  aggregateId: (p) => p.publisherId,
});

export const InvoicePaid = defineEvent({
  name: 'billing.InvoicePaid',
  version: 1,
  description: 'Payments reached the invoice total.',
  payload: Strict({ ...InvoiceFacts, number: Type.String(), totalMinor: Minor, currency: Type.String(), paidAt: Timestamp }),
  aggregateId: (p) => p.publisherId,
});

export const billingContract = defineContract({
  module: 'billing',
  methods: {
    billingSummaries: defineMethod({
      description: 'For each publisher: outstanding balance and the latest issued or paid invoices.',
      idempotent: true,
      input: Strict({
        publisherIds: Type.Array(Type.String({ maxLength: 40 }), { maxItems: 100 }),
        latestInvoices: Type.Integer({ minimum: 0, maximum: 20 }),
      }),
      output: Type.Array(BillingSummary),
    }),
  },
  events: { InvoiceIssued, InvoiceVoided, InvoicePaid },
});
