/**
 * What Operations offers other modules: publishers and earnings through a
 * batched facade, and events when publishers are registered or changed.
 */
import {
  Email,
  Month,
  Nullable,
  Page,
  Strict,
  StringEnum,
  Timestamp,
  Type,
  defineContract,
  defineEvent,
  defineMethod,
  type Static,
} from '../../src/kernel/index.ts';

export const PublisherStatus = StringEnum(['active', 'suspended']);

export const PublisherSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  contactEmail: Type.String(),
  country: Type.String(),
  revenueShareBps: Type.Integer({ minimum: 0, maximum: 10_000 }),
  status: PublisherStatus,
});
export type PublisherSummary = Static<typeof PublisherSummary>;

const Micros = Type.Integer({ minimum: 0, description: 'USD micros (10^-6 USD)' });

export const AppEarnings = Type.Object({
  appId: Type.String(),
  name: Type.String(),
  impressions: Type.Integer({ minimum: 0 }),
  clicks: Type.Integer({ minimum: 0 }),
  grossMicros: Micros,
  shareMicros: Micros,
});

export const PublisherEarnings = Type.Object({
  publisherId: Type.String(),
  /** The publisher's revenue share now: what an invoice run applies. */
  revenueShareBps: Type.Integer({ minimum: 0, maximum: 10_000 }),
  grossMicros: Micros,
  shareMicros: Micros,
  apps: Type.Array(AppEarnings),
});
export type PublisherEarnings = Static<typeof PublisherEarnings>;

/** A publisher whose month cannot be given (its figures pass what JSON holds exactly): one failure, not a failed page. */
export const EarningsFailure = Type.Object({
  publisherId: Type.String(),
  failure: Type.Object({ code: Type.String(), message: Type.String() }),
});
export type EarningsFailure = Static<typeof EarningsFailure>;

/** What an issued invoice bills, per app that earned: the figures a close checks the draft against. */
const BilledApp = Strict({ appId: Type.String({ maxLength: 40 }), grossMicros: Micros, impressions: Type.Integer({ minimum: 0 }) });

const IssueAttempt = {
  publisherId: Type.String({ maxLength: 40 }),
  period: Month,
  invoiceId: Type.String({ maxLength: 40 }),
  fence: Type.Integer({ minimum: 1, description: "the issue attempt's number: later attempts bring higher numbers" }),
};

const PublisherFacts = {
  publisherId: Type.String(),
  name: Type.String(),
  contactEmail: Email,
  country: Type.String({ minLength: 2, maxLength: 2 }),
  revenueShareBps: Type.Integer({ minimum: 0, maximum: 10_000 }),
  status: PublisherStatus,
};

export const PublisherRegistered = defineEvent({
  name: 'operations.PublisherRegistered',
  version: 1,
  description: 'A publisher was registered; Billing opens its billing account.',
  payload: Strict({ ...PublisherFacts, registeredAt: Timestamp }),
  aggregateId: (p) => p.publisherId,
});

export const PublisherUpdated = defineEvent({
  name: 'operations.PublisherUpdated',
  version: 1,
  description: 'A publisher changed; carries its full current facts and the names of the fields that changed.',
  payload: Strict({ ...PublisherFacts, version: Type.Integer({ minimum: 1 }), changed: Type.Array(Type.String()), updatedAt: Timestamp }),
  aggregateId: (p) => p.publisherId,
});

export const operationsContract = defineContract({
  module: 'operations',
  methods: {
    publishersByIds: defineMethod({
      description: 'Publishers by id; unknown ids are left out.',
      idempotent: true,
      input: Strict({ ids: Type.Array(Type.String({ maxLength: 40 }), { maxItems: 1000 }) }),
      output: Type.Array(PublisherSummary),
    }),
    activePublishers: defineMethod({
      description: 'A page of active publishers in a stable order (by id).',
      idempotent: true,
      input: Strict({ limit: Type.Integer({ minimum: 1, maximum: 1000 }), cursor: Nullable(Type.String()) }),
      output: Page(PublisherSummary),
    }),
    earningsForMonth: defineMethod({
      description: 'Earnings of a page of publishers for one UTC month, by app; one call per page, not per publisher.',
      idempotent: true,
      input: Strict({ publisherIds: Type.Array(Type.String({ maxLength: 40 }), { maxItems: 1000 }), month: Month }),
      output: Type.Array(Type.Union([PublisherEarnings, EarningsFailure])),
    }),
    closeMonth: defineMethod({
      description:
        "Closes a publisher's month to delivery rows for an invoice being issued, if the month's figures at this instant " +
        'are the expected ones (closed); otherwise leaves it as it is and answers the fresh figures (stale), or refuses an ' +
        'attempt older than one already seen (superseded). Delivery writes and the close exclude each other.',
      idempotent: false,
      input: Strict({ ...IssueAttempt, expected: Type.Array(BilledApp, { maxItems: 10_000 }) }),
      output: Strict({
        outcome: StringEnum(['closed', 'stale', 'superseded']),
        earnings: Nullable(PublisherEarnings),
      }),
    }),
    releaseMonth: defineMethod({
      description: 'Reopens a month closed by this issue attempt, which did not issue its invoice; any other close is left alone.',
      idempotent: true,
      input: Strict(IssueAttempt),
      output: Strict({ released: Type.Boolean() }),
    }),
  },
  events: { PublisherRegistered, PublisherUpdated },
});
