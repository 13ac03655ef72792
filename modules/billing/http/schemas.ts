/** Billing's HTTP shapes: TypeBox schemas that validate requests and document responses (OpenAPI). */
import { Day, Month, Nullable, PageQuery, Strict, Text, Timestamp, Type } from '../../../src/kernel/index.ts';

const Minor = Type.Integer({ minimum: 0, description: 'amount in minor units (cents)' });
const Version = Type.Integer({ minimum: 1, description: 'increases with every change; sent back as ETag' });

export const IdParams = Strict({ id: Type.String({ maxLength: 40 }) });
export const PublisherParams = Strict({ publisherId: Type.String({ maxLength: 40 }) });

export const BillingAccount = Type.Object({
  publisherId: Type.String(),
  legalName: Type.String(),
  billingEmail: Type.String(),
  currency: Type.String({ examples: ['USD'] }),
  paymentTermsDays: Type.Integer(),
  taxId: Nullable(Type.String()),
  address: Nullable(Type.String({ description: 'postal address, one line per line: the supplier’s address on self-billing invoices' })),
  overriddenFields: Type.Array(Type.Union([Type.Literal('legalName'), Type.Literal('billingEmail')]), {
    description: 'Fields finance set, which no longer follow the publisher in Operations',
  }),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const BillingAccountPatch = Type.Object(
  {
    legalName: Type.Optional(Nullable(Text({ maxLength: 200, description: 'null: follow the publisher name again' }))),
    billingEmail: Type.Optional(
      Nullable(Type.String({ format: 'email', maxLength: 254, description: 'null: follow the contact email again' })),
    ),
    paymentTermsDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
    taxId: Type.Optional(Nullable(Text({ maxLength: 64 }))),
    address: Type.Optional(Nullable(Text({ maxLength: 500, multiline: true, description: 'postal address, lines separated by newlines' }))),
  },
  { additionalProperties: false, minProperties: 1 },
);

const InvoiceStatus = Type.Union([Type.Literal('draft'), Type.Literal('issued'), Type.Literal('paid'), Type.Literal('void')]);

export const Invoice = Type.Object({
  id: Type.String(),
  number: Nullable(Type.String({ description: 'INV-YYYY-NNNNNN, assigned on issue' })),
  publisherId: Type.String(),
  period: Month,
  status: InvoiceStatus,
  currency: Type.String(),
  totalMinor: Minor,
  paidMinor: Minor,
  revenueShareBps: Type.Integer({ description: 'the revenue share the lines were computed with' }),
  lines: Type.Array(
    Type.Object({
      appId: Type.String(),
      description: Type.String({ description: 'the app’s name' }),
      impressions: Type.Integer(),
      grossMicros: Type.Integer({ minimum: 0, description: 'the app’s gross revenue in the month, USD micros' }),
      amountMinor: { ...Minor, description: 'the publisher’s share: grossMicros × revenueShareBps / 10^8, rounded half-up once' },
    }),
  ),
  billTo: Nullable(
    Type.Object(
      {
        legalName: Type.String(),
        billingEmail: Type.String(),
        taxId: Nullable(Type.String()),
        address: Nullable(Type.String()),
        paymentTermsDays: Type.Integer(),
      },
      { description: 'The publisher (the supplier of a self-billing invoice) as its billing account was when the invoice left draft' },
    ),
  ),
  issuedAt: Nullable(Timestamp),
  dueAt: Nullable(Day),
  paidAt: Nullable(Timestamp),
  voidedAt: Nullable(Timestamp),
  voidReason: Nullable(Type.String()),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const InvoiceListQuery = Strict({
  ...PageQuery,
  publisherId: Type.Optional(Type.String({ maxLength: 40 })),
  status: Type.Optional(InvoiceStatus),
  period: Type.Optional(Month),
});

export const InvoicePatch = Strict({
  status: Type.Union([Type.Literal('issued'), Type.Literal('void')]),
  reason: Type.Optional(Text({ maxLength: 500, multiline: true, description: 'why it is voided' })),
});

const PaidOn = Type.String({
  format: 'day',
  description: 'the day the payout was sent to the publisher (UTC, not in the future)',
  examples: ['2026-04-20'],
});
const BankReference = Text({ maxLength: 100, description: 'the bank reference of the payout: the same one again is the same payment' });

/** `paidOn` and `bankReference` are required; `receivedOn` and `reference`, their former names, are still accepted. */
export const PaymentInput = Strict({
  amountMinor: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'the payout, in cents' }),
  paidOn: Type.Optional(PaidOn),
  bankReference: Type.Optional(BankReference),
  receivedOn: Type.Optional(Type.String({ format: 'day', deprecated: true, description: 'former name of paidOn' })),
  reference: Type.Optional(Text({ maxLength: 100, deprecated: true, description: 'former name of bankReference' })),
});

export const Payment = Type.Object({
  id: Type.String(),
  invoiceId: Type.String(),
  amountMinor: Minor,
  currency: Type.String(),
  paidOn: PaidOn,
  bankReference: Type.String({ description: 'the bank reference of the payout' }),
  receivedOn: Type.String({ format: 'day', deprecated: true, description: 'former name of paidOn (the same value)' }),
  reference: Type.String({ deprecated: true, description: 'former name of bankReference (the same value)' }),
  createdAt: Timestamp,
});

export const RunRequest = Strict({ period: Month });

export const InvoiceRun = Type.Object({
  id: Type.String(),
  period: Month,
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]),
  total: Type.Integer({ description: 'billing accounts to process' }),
  processed: Type.Integer(),
  created: Type.Integer({ description: 'drafts created' }),
  updated: Type.Integer({ description: 'drafts whose amounts changed (or voided: no share any more)' }),
  skipped: Type.Integer({ description: 'no share, already issued or paid, or the draft was already right' }),
  failed: Type.Integer({ description: 'publishers that could not be invoiced; the run invoices everyone else, and a re-run retries them' }),
  failures: Type.Array(Type.Object({ publisherId: Type.String(), code: Type.String(), message: Type.String() }), {
    description: 'why, for the first 100 of them (failed counts them all)',
  }),
  error: Nullable(Type.String({ description: 'why a failed run stopped (status failed: the run itself could not go on)' })),
  createdAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
});
