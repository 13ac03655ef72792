/**
 * Reading invoices: one invoice, or a filtered page newest first. A publisher
 * sees only its own issued and paid invoices; anything else is "not found".
 */
import { assertCanSee, decodeCursor, invalid, toPage, type Caller, type PageOf } from '../../src/kernel/index.ts';
import type { BillingModels, Invoice, InvoiceStatus } from './data/models.ts';
import { invoiceNotFound } from './errors.ts';

export interface InvoicesDeps {
  models: BillingModels;
}

export interface InvoiceFilter {
  publisherId?: string;
  status?: InvoiceStatus;
  period?: string;
  limit: number;
  cursor?: string;
}

/** What a publisher may see of its own invoices. */
const PUBLISHED: InvoiceStatus[] = ['issued', 'paid'];

export function invoiceView(row: Invoice) {
  return {
    id: row.id,
    number: row.number,
    publisherId: row.publisherId,
    period: row.period,
    status: row.status,
    currency: row.currency,
    totalMinor: row.totalMinor,
    paidMinor: row.paidMinor,
    revenueShareBps: row.revenueShareBps,
    lines: (row.lines ?? []).map((line) => ({
      appId: line.appId,
      description: line.description,
      impressions: line.impressions,
      amountMinor: line.amountMinor,
    })),
    billTo: row.billTo,
    issuedAt: row.issuedAt,
    dueAt: row.dueAt,
    paidAt: row.paidAt,
    voidedAt: row.voidedAt,
    voidReason: row.voidReason,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export type InvoiceView = ReturnType<typeof invoiceView>;

export function canSee(caller: Caller, invoice: Pick<Invoice, 'id' | 'publisherId' | 'status'>): void {
  assertCanSee(caller, invoice.publisherId, () => invoiceNotFound(invoice.id));
  if (caller.role === 'publisher' && !PUBLISHED.includes(invoice.status)) throw invoiceNotFound(invoice.id);
}

function listCursor(cursor: string | undefined): [string, string] | null {
  const key = decodeCursor(cursor, 2);
  if (key === null) return null;
  if (typeof key[0] !== 'string' || typeof key[1] !== 'string') {
    throw invalid('CURSOR_INVALID', 'cursor is not one this API issued', [{ path: '/cursor', message: 'is not a valid cursor' }]);
  }
  return [key[0], key[1]];
}

export function makeInvoices({ models }: InvoicesDeps) {
  const { Invoice } = models;

  return {
    async get(caller: Caller, id: string): Promise<InvoiceView> {
      const row = await Invoice.query().findById(id).withGraphFetched('lines');
      if (!row) throw invoiceNotFound(id);
      canSee(caller, row);
      return invoiceView(row);
    },

    /** Newest period first, then newest invoice: a stable keyset order over (period, id). */
    async list(caller: Caller, filter: InvoiceFilter): Promise<PageOf<InvoiceView>> {
      const after = listCursor(filter.cursor);
      const query = Invoice.query().withGraphFetched('lines');
      if (caller.role === 'publisher') {
        // Whatever the filters say, a publisher's page holds only its own published invoices.
        const asked = filter.status ? [filter.status] : PUBLISHED;
        const statuses = asked.filter((s) => PUBLISHED.includes(s));
        if (caller.publisherId === null || statuses.length === 0) return { data: [], nextCursor: null };
        if (filter.publisherId !== undefined && filter.publisherId !== caller.publisherId) return { data: [], nextCursor: null };
        query.where('publisher_id', caller.publisherId).whereIn('status', statuses);
      } else {
        if (filter.publisherId !== undefined) query.where('publisher_id', filter.publisherId);
        if (filter.status !== undefined) query.where('status', filter.status);
      }
      if (filter.period !== undefined) query.where('period', filter.period);
      if (after) {
        const [period, id] = after;
        query.where((q) => q.where('period', '<', period).orWhere((same) => same.where('period', period).where('id', '<', id)));
      }
      const rows = await query.orderBy([{ column: 'period', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(filter.limit + 1);
      return toPage(rows, filter.limit, (row) => [row.period, row.id], invoiceView);
    },
  };
}

export type Invoices = ReturnType<typeof makeInvoices>;
