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
    billingEmail: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254, description: 'null: follow the contact email again' }))),
    paymentTermsDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
    taxId: Type.Optional(Nullable(Text({ maxLength: 64 }))),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const InvoiceStatus = Type.Union([Type.Literal('draft'), Type.Literal('issued'), Type.Literal('paid'), Type.Literal('void')]);

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
  lines: Type.Array(Type.Object({ appId: Type.String(), description: Type.String(), impressions: Type.Integer(), amountMinor: Minor })),
  billTo: Nullable(
    Type.Object(
      { legalName: Type.String(), billingEmail: Type.String(), taxId: Nullable(Type.String()), paymentTermsDays: Type.Integer() },
      { description: 'The billing account as it was when the invoice left draft' },
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

export const PaymentInput = Strict({
  amountMinor: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  receivedOn: Day,
  reference: Text({ maxLength: 100, description: 'bank reference: the same one again is the same payment' }),
});

export const Payment = Type.Object({
  id: Type.String(),
  invoiceId: Type.String(),
  amountMinor: Minor,
  currency: Type.String(),
  receivedOn: Day,
  reference: Type.String(),
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
  failed: Type.Integer({ description: 'accounts that could not be processed (see the logs); a re-run retries them' }),
  error: Nullable(Type.String({ description: 'why a failed run stopped' })),
  createdAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
});
