/**
 * The facade behind Operations' publisher dashboard: for a batch of publishers,
 * the outstanding balance and the latest issued or paid invoices. Three
 * queries whatever the batch size: accounts, balances, latest invoices.
 */
import { toBigInt, toJsonInteger, type ModuleDatabase } from '../../src/kernel/index.ts';
import type { BillingSummary } from './contract.ts';
import type { BillingModels, Invoice } from './data/models.ts';

export interface BillingSummariesDeps {
  models: BillingModels;
  db: ModuleDatabase;
}

type InvoiceSummary = BillingSummary['invoices'][number];

function summaryOf(invoice: Invoice): InvoiceSummary {
  return {
    id: invoice.id,
    number: invoice.number!,
    period: invoice.period,
    status: invoice.status as InvoiceSummary['status'],
    currency: invoice.currency,
    totalMinor: invoice.totalMinor,
    paidMinor: invoice.paidMinor,
    issuedAt: invoice.issuedAt!,
    dueAt: invoice.dueAt!,
  };
}

export function makeBillingSummaries({ models, db }: BillingSummariesDeps) {
  const { BillingAccount, Invoice } = models;

  async function latestInvoices(publisherIds: string[], count: number): Promise<Invoice[]> {
    if (count === 0) return [];
    // The newest `count` per publisher in one query: rank within each publisher, keep the top.
    const ranked = db.knex('invoices')
      .select('*', db.knex.raw('ROW_NUMBER() OVER (PARTITION BY publisher_id ORDER BY issued_at DESC, id DESC) AS recency'))
      .whereIn('publisher_id', publisherIds)
      .whereIn('status', ['issued', 'paid']);
    const rows = await db.knex.select('*').from(ranked.as('ranked')).where('recency', '<=', count).orderBy([
      { column: 'issued_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
    return rows.map((row: object) => Invoice.fromDatabaseJson(row));
  }

  return {
    async billingSummaries({ publisherIds, latestInvoices: count }: { publisherIds: string[]; latestInvoices: number }): Promise<BillingSummary[]> {
      const ids = [...new Set(publisherIds)];
      if (ids.length === 0) return [];
      const [accounts, balances, latest] = await Promise.all([
        BillingAccount.query().whereIn('publisher_id', ids).select('publisher_id', 'currency'),
        db.knex('invoices')
          .whereIn('publisher_id', ids)
          .where('status', 'issued')
          .groupBy('publisher_id')
          .select('publisher_id', db.knex.raw('SUM(total_minor - paid_minor) AS outstanding')),
        latestInvoices(ids, count),
      ]);
      const currency = new Map(accounts.map((a) => [a.publisherId, a.currency]));
      const outstanding = new Map(balances.map((b: { publisher_id: string; outstanding: number | string }) => [b.publisher_id, toJsonInteger(toBigInt(String(b.outstanding)))]));
      return ids.map((publisherId) => ({
        publisherId,
        // A publisher without an account yet (its event is still in flight) owes and is owed nothing.
        currency: currency.get(publisherId) ?? 'USD',
        outstandingMinor: outstanding.get(publisherId) ?? 0,
        invoices: latest.filter((i) => i.publisherId === publisherId).map(summaryOf),
      }));
    },
  };
}
