/**
 * What Billing offers other modules: events when invoices are issued, voided,
 * paid out and paid. They carry what a reader needs (Operations keeps its
 * dashboard's view of a publisher's invoices from them), so no module calls
 * Billing: synchronous calls run one way, Billing → Operations.
 */
import { Day, Month, Nullable, Strict, Timestamp, Type, defineContract, defineEvent } from '../../src/kernel/index.ts';

const Minor = Type.Integer({ minimum: 0, description: 'amount in minor units (cents)' });

const InvoiceFacts = {
  invoiceId: Type.String(),
  publisherId: Type.String(),
  period: Month,
};

export const InvoiceIssued = defineEvent({
  name: 'billing.InvoiceIssued',
  version: 1,
  description: "An invoice was issued (its publisher's month was closed in Operations first, synchronously).",
  payload: Strict({
    ...InvoiceFacts,
    number: Type.String(),
    totalMinor: Minor,
    currency: Type.String(),
    issuedAt: Timestamp,
    dueAt: Type.String(),
  }),
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

export const PaymentRecorded = defineEvent({
  name: 'billing.PaymentRecorded',
  version: 1,
  description: 'A payout was sent against an issued invoice; paidMinor is what has been paid out on it in all.',
  payload: Strict({ ...InvoiceFacts, paymentId: Type.String(), amountMinor: Minor, paidMinor: Minor, paidOn: Day, recordedAt: Timestamp }),
  aggregateId: (p) => p.publisherId,
});

export const billingContract = defineContract({
  module: 'billing',
  methods: {},
  events: { InvoiceIssued, InvoiceVoided, InvoicePaid, PaymentRecorded },
});
