/** Registering and changing publishers; each change publishes its event in the same transaction. */
import type { Knex } from 'knex';
import { decodeCursor, newId, toPage, type Clock, type ModuleDatabase, type Outbox, type PageOf } from '../../src/kernel/index.ts';
import { PublisherRegistered, PublisherUpdated, type PublisherSummary } from './contract.ts';
import type { OperationsModels, Publisher } from './data/models.ts';
import { countryUnknown, publisherNotFound, stalePublisher } from './errors.ts';

interface PublisherView extends PublisherSummary {
  version: number;
  createdAt: string;
  updatedAt: string;
}

interface NewPublisher {
  name: string;
  contactEmail: string;
  country: string;
  revenueShareBps?: number;
}

type PublisherChanges = Partial<NewPublisher & { status: 'active' | 'suspended' }>;

const DEFAULT_REVENUE_SHARE_BPS = 7_000;

const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** ISO 3166-1 alpha-2: two capitals that name a known region. */
function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && regions.of(code) !== code;
}

const view = (p: Publisher): PublisherView => ({
  id: p.id,
  name: p.name,
  contactEmail: p.contactEmail,
  country: p.country,
  revenueShareBps: p.revenueShareBps,
  status: p.status,
  version: p.version,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

/** What other modules see of a publisher (the facade's PublisherSummary): no version, no timestamps. */
export function summaryOf(publisher: PublisherView): PublisherSummary {
  const { version, createdAt, updatedAt, ...facts } = publisher;
  return facts;
}

function checkCountry(country: string | undefined): void {
  if (country !== undefined && !isCountryCode(country)) throw countryUnknown(country);
}

interface PublishersDeps {
  db: ModuleDatabase;
  models: OperationsModels;
  outbox: Outbox;
  clock: Clock;
}

export function makePublishers({ db, models, outbox, clock }: PublishersDeps) {
  const { Publisher } = models;

  /** The publisher, locked until the transaction ends (PostgreSQL; SQLite's write transaction already excludes writers). */
  async function findForUpdate(id: string, trx: Knex.Transaction): Promise<Publisher> {
    const publisher = await Publisher.query(trx).findById(id).forUpdate();
    if (!publisher) throw publisherNotFound(id);
    return publisher;
  }

  return {
    async register(input: NewPublisher): Promise<PublisherView> {
      checkCountry(input.country);
      const now = clock.now().toISOString();
      return db.knex.transaction(async (trx) => {
        const publisher = await Publisher.query(trx).insert({
          id: newId('pub'),
          name: input.name,
          contactEmail: input.contactEmail,
          country: input.country,
          revenueShareBps: input.revenueShareBps ?? DEFAULT_REVENUE_SHARE_BPS,
          status: 'active',
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
        const { id, version, createdAt, updatedAt, ...facts } = view(publisher);
        await outbox.append(trx, PublisherRegistered, { publisherId: id, ...facts, registeredAt: createdAt });
        return view(publisher);
      });
    },

    async update(id: string, changes: PublisherChanges, expectedVersion?: number): Promise<PublisherView> {
      checkCountry(changes.country);
      return db.writeTransaction(async (trx) => {
        const current = await findForUpdate(id, trx);
        if (expectedVersion !== undefined && expectedVersion !== current.version) {
          throw stalePublisher(id, current.version, expectedVersion);
        }
        const changed = (Object.keys(changes) as (keyof PublisherChanges)[]).filter((k) => changes[k] !== current[k]);
        if (changed.length === 0) return view(current);
        const updated = await current.$query(trx).patchAndFetch({
          ...changes,
          version: current.version + 1,
          updatedAt: clock.now().toISOString(),
        });
        const { id: publisherId, createdAt, updatedAt, ...facts } = view(updated);
        await outbox.append(trx, PublisherUpdated, { publisherId, ...facts, changed, updatedAt });
        return view(updated);
      });
    },

    async get(id: string): Promise<PublisherView> {
      const publisher = await Publisher.query().findById(id);
      if (!publisher) throw publisherNotFound(id);
      return view(publisher);
    },

    /** A page by id, oldest first. */
    async list(options: { status?: 'active' | 'suspended'; limit: number; cursor?: string | null }): Promise<PageOf<PublisherView>> {
      const after = decodeCursor(options.cursor ?? undefined, 1);
      const rows = await Publisher.query()
        .modify((q) => options.status && q.where('status', options.status))
        .modify((q) => after && q.where('id', '>', after[0]!))
        .orderBy('id')
        .limit(options.limit + 1);
      return toPage(rows, options.limit, (p) => [p.id], view);
    },

    /** Publishers by id, in id order; unknown ids are left out. */
    async byIds(ids: string[]): Promise<PublisherView[]> {
      if (ids.length === 0) return [];
      return (await Publisher.query().whereIn('id', ids).orderBy('id')).map(view);
    },
  };
}

export type Publishers = ReturnType<typeof makePublishers>;
