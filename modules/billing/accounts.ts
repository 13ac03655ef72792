/**
 * Billing accounts: opened and kept current from Operations' publisher events,
 * edited by finance. Legal name and billing email follow the publisher's name
 * and contact email until finance overrides them, field by field.
 */
import type { Knex } from 'knex';
import type { Clock, Facade, ModuleDatabase } from '../../src/kernel/index.ts';
import type { operationsContract } from '../operations/contract.ts';
import { forUpdate } from './data/rowLocks.ts';
import type { BillingAccount, BillingModels } from './data/models.ts';
import { accountNotFound, changedConcurrently, publisherUnknown, staleAccount } from './errors.ts';

export interface BillingAccountsDeps {
  models: BillingModels;
  db: ModuleDatabase;
  clock: Clock;
  operationsFacade: Facade<typeof operationsContract>;
}

export interface PublisherFacts {
  publisherId: string;
  name: string;
  contactEmail: string;
}

/** Finance's edits; null for legalName or billingEmail drops the override (follow Operations again). */
export interface AccountChanges {
  legalName?: string | null;
  billingEmail?: string | null;
  paymentTermsDays?: number;
  taxId?: string | null;
  address?: string | null;
}

function accountView(row: BillingAccount) {
  return {
    publisherId: row.publisherId,
    legalName: row.legalNameOverride ?? row.publisherName,
    billingEmail: row.billingEmailOverride ?? row.contactEmail,
    currency: row.currency,
    paymentTermsDays: row.paymentTermsDays,
    taxId: row.taxId,
    address: row.address ?? null,
    overriddenFields: [
      ...(row.legalNameOverride !== null ? ['legalName'] : []),
      ...(row.billingEmailOverride !== null ? ['billingEmail'] : []),
    ],
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export type AccountView = ReturnType<typeof accountView>;

export function makeBillingAccounts({ models, db, clock, operationsFacade }: BillingAccountsDeps) {
  const { BillingAccount } = models;
  const lock = forUpdate(db.dialect);

  return {
    /**
     * Opens the account, or records the publisher's new name and email (inside the event handler's transaction).
     * The event may come from another process: Operations is asked first, so an account is never opened for a
     * publisher that does not exist.
     */
    async recordPublisher(trx: Knex.Transaction, facts: PublisherFacts): Promise<void> {
      if ((await operationsFacade.publishersByIds({ ids: [facts.publisherId] })).length === 0) {
        throw publisherUnknown(facts.publisherId);
      }
      const now = clock.now().toISOString();
      // Opened if missing (two deliveries of one publisher's events at once, a redelivery and a CLI sync, may
      // race: the second finds the row), then brought up to the event's facts under the row's lock.
      await trx('billing_accounts')
        .insert({
          publisher_id: facts.publisherId,
          publisher_name: facts.name,
          contact_email: facts.contactEmail,
          version: 1,
          created_at: now,
          updated_at: now,
        })
        .onConflict('publisher_id')
        .ignore();
      const row = (await BillingAccount.query(trx).findById(facts.publisherId).modify(lock))!;
      if (row.publisherName === facts.name && row.contactEmail === facts.contactEmail) return;
      await BillingAccount.query(trx)
        .findById(facts.publisherId)
        .patch({ publisherName: facts.name, contactEmail: facts.contactEmail, version: row.version + 1, updatedAt: now });
    },

    /**
     * Opens accounts for publishers that have none (registered before Billing ran, so no event
     * reached it); existing accounts are left alone, events keep them current. Returns how many opened.
     */
    async openMissing(publishers: PublisherFacts[]): Promise<number> {
      if (publishers.length === 0) return 0;
      const now = clock.now().toISOString();
      const rows = publishers.map((p) => ({
        publisher_id: p.publisherId,
        publisher_name: p.name,
        contact_email: p.contactEmail,
        version: 1,
        created_at: now,
        updated_at: now,
      }));
      const opened = await db.knex('billing_accounts').insert(rows).onConflict('publisher_id').ignore().returning('publisher_id');
      return opened.length;
    },

    async get(publisherId: string): Promise<AccountView> {
      const row = await BillingAccount.query().findById(publisherId);
      if (!row) throw accountNotFound(publisherId);
      return accountView(row);
    },

    async update(publisherId: string, changes: AccountChanges, expectedVersion?: number): Promise<AccountView> {
      return db.writeTransaction(async (trx) => {
        const row = await BillingAccount.query(trx).findById(publisherId).modify(lock);
        if (!row) throw accountNotFound(publisherId);
        if (expectedVersion !== undefined && expectedVersion !== row.version) throw staleAccount(expectedVersion, row.version);
        const patch: Partial<BillingAccount> = {};
        if (changes.legalName !== undefined) patch.legalNameOverride = changes.legalName;
        if (changes.billingEmail !== undefined) patch.billingEmailOverride = changes.billingEmail;
        if (changes.paymentTermsDays !== undefined) patch.paymentTermsDays = changes.paymentTermsDays;
        if (changes.taxId !== undefined) patch.taxId = changes.taxId;
        if (changes.address !== undefined) patch.address = changes.address;
        const changed = Object.entries(patch).some(([key, value]) => row[key as keyof BillingAccount] !== value);
        if (!changed) return accountView(row);
        const next = { ...patch, version: row.version + 1, updatedAt: clock.now().toISOString() };
        const updated = await BillingAccount.query(trx).findById(publisherId).where('version', row.version).patch(next);
        if (updated !== 1) throw changedConcurrently('The billing account');
        return accountView(Object.assign(row, next));
      });
    },
  };
}

export type BillingAccounts = ReturnType<typeof makeBillingAccounts>;
