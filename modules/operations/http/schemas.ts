/** Request and response schemas of Operations' HTTP API. */
import { Day, Email, Nullable, Strict, StringEnum, Text, Timestamp, Type } from '../../../src/kernel/index.ts';
import { AppEarnings, PublisherStatus } from '../contract.ts';
import { MAX_DELIVERY_ROWS } from '../deliveryReports.ts';
import { DeliveryRow } from '../deliveryRules.ts';

export const IdParam = Strict({ id: Type.String({ minLength: 1, maxLength: 40 }) });

const Name = Text({ maxLength: 200 });
const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2', examples: ['DE'] });
const Bps = Type.Integer({ minimum: 0, maximum: 10_000, description: 'basis points: 7000 = 70%' });
const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const Publisher = Type.Object({
  id: Type.String(),
  name: Type.String(),
  contactEmail: Type.String(),
  country: Type.String(),
  revenueShareBps: Bps,
  status: PublisherStatus,
  version: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const NewPublisher = Strict({ name: Name, contactEmail: Email, country: Country, revenueShareBps: Type.Optional(Bps) });

export const PublisherPatch = Type.Object(
  {
    name: Type.Optional(Name),
    contactEmail: Type.Optional(Email),
    country: Type.Optional(Country),
    revenueShareBps: Type.Optional(Bps),
    status: Type.Optional(PublisherStatus),
  },
  { additionalProperties: false, minProperties: 1 },
);

const Platform = StringEnum(['android', 'ios', 'web']);
const Format = StringEnum(['native', 'banner', 'interstitial', 'rewarded']);

export const App = Type.Object({
  id: Type.String(),
  publisherId: Type.String(),
  name: Type.String(),
  platform: Platform,
  bundleId: Type.String(),
  createdAt: Timestamp,
});

export const NewApp = Strict({
  name: Name,
  platform: Platform,
  bundleId: Type.String({ minLength: 1, maxLength: 255, pattern: '^\\S+$' }),
});

export const AdUnit = Type.Object({
  id: Type.String(),
  appId: Type.String(),
  publisherId: Type.String(),
  name: Type.String(),
  format: Format,
  floorCpmMicros: Count,
  createdAt: Timestamp,
});

export const NewAdUnit = Strict({ name: Name, format: Format, floorCpmMicros: Type.Optional(Count) });

export const DeliveryReports = Strict({ rows: Type.Array(DeliveryRow, { minItems: 1, maxItems: MAX_DELIVERY_ROWS }) });

export const Earnings = Type.Object({
  publisherId: Type.String(),
  from: Day,
  to: Day,
  grossMicros: Count,
  shareMicros: Count,
  apps: Type.Array(AppEarnings),
});

/** An issued or paid invoice, as Operations knows it from Billing's events. */
const DashboardInvoice = Type.Object({
  id: Type.String(),
  number: Type.String(),
  period: Type.String({ format: 'month' }),
  status: StringEnum(['issued', 'paid']),
  currency: Type.String(),
  totalMinor: Count,
  paidMinor: Count,
  issuedAt: Timestamp,
  dueAt: Day,
});

export const Dashboard = Type.Object({
  publisher: Publisher,
  monthToDate: Type.Object({ grossMicros: Count, shareMicros: Count }),
  invoices: Type.Array(DashboardInvoice, {
    description: 'the latest issued or paid invoices, newest first (from Billing’s events: they may lag by seconds)',
  }),
  outstandingMinor: Count,
  currency: Type.String(),
  lastPaymentAt: Nullable(Timestamp),
});
