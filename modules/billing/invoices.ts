/**
 * Reading invoices: one invoice, or a filtered page newest first. A publisher
 * sees only its own issued and paid invoices; anything else is "not found".
 */
import { assertCanSee, decodeCursor, jsonIntegerOf, toPage } from '../../src/kernel/index.ts';
import type { Caller, ModuleDatabase, PageOf } from '../../src/kernel/index.ts';
import { selectInvoices, selectLines, type InvoiceFilters, type InvoiceLineRow, type InvoiceRow } from './data/invoiceReads.ts';
import type { BillTo, InvoiceStatus } from './data/models.ts';
import { invoiceNotFound } from './errors.ts';

export interface InvoicesDeps {
  db: ModuleDatabase;
}

export interface InvoiceListQuery {
  publisherId?: string;
  status?: InvoiceStatus;
  period?: string;
  limit: number;
  cursor?: string;
}

/** What a publisher may see of its own invoices. */
const PUBLISHED: InvoiceStatus[] = ['issued', 'paid'];

type InvoiceLineRecord = Pick<InvoiceLineRow, 'appId' | 'description' | 'impressions' | 'grossMicros' | 'amountMinor'>;

/** An invoice to show: a model of the writes (invoice.lines loaded), or a row of the reads with its lines. */
interface InvoiceRecord extends Omit<InvoiceRow, 'billTo'> {
  billTo: BillTo | string | null;
  lines?: InvoiceLineRecord[];
}

/** Invoices issued before addresses were kept have none. */
const withAddress = (billTo: BillTo | null): BillTo | null => (billTo ? { ...billTo, address: billTo.address ?? null } : null);

/** The invoice as the API shows it. */
export function invoiceView(invoice: InvoiceRecord, lines: InvoiceLineRecord[] = invoice.lines ?? []) {
  return {
    id: invoice.id,
    number: invoice.number,
    publisherId: invoice.publisherId,
    period: invoice.period,
    status: invoice.status,
    currency: invoice.currency,
    totalMinor: jsonIntegerOf(invoice.totalMinor),
    paidMinor: jsonIntegerOf(invoice.paidMinor),
    revenueShareBps: invoice.revenueShareBps,
    lines: lines.map((line) => ({
      appId: line.appId,
      description: line.description,
      impressions: jsonIntegerOf(line.impressions),
      grossMicros: jsonIntegerOf(line.grossMicros),
      amountMinor: jsonIntegerOf(line.amountMinor),
    })),
    billTo: withAddress(typeof invoice.billTo === 'string' ? (JSON.parse(invoice.billTo) as BillTo) : invoice.billTo),
    issuedAt: invoice.issuedAt,
    dueAt: invoice.dueAt,
    paidAt: invoice.paidAt,
    voidedAt: invoice.voidedAt,
    voidReason: invoice.voidReason,
    version: invoice.version,
    createdAt: invoice.createdAt,
    updatedAt: invoice.updatedAt,
  };
}

export type InvoiceView = ReturnType<typeof invoiceView>;

function assertCanSeeInvoice(caller: Caller, invoice: Pick<InvoiceRow, 'id' | 'publisherId' | 'status'>): void {
  assertCanSee(caller, invoice.publisherId, () => invoiceNotFound(invoice.id));
  if (caller.role === 'publisher' && !PUBLISHED.includes(invoice.status)) throw invoiceNotFound(invoice.id);
}

/** The filters a caller's query comes to, or null when it can match nothing the caller may see. */
function filtersFor(caller: Caller, query: InvoiceListQuery): InvoiceFilters | null {
  const cursor = decodeCursor(query.cursor, 2);
  const common = { period: query.period, after: cursor ? { period: cursor[0]!, id: cursor[1]! } : undefined };
  if (caller.role !== 'publisher') return { publisherId: query.publisherId, statuses: query.status && [query.status], ...common };
  // Whatever the query says, a publisher's page holds only its own published invoices.
  const statuses = (query.status ? [query.status] : PUBLISHED).filter((status) => PUBLISHED.includes(status));
  if (caller.publisherId === null || statuses.length === 0) return null;
  if (query.publisherId !== undefined && query.publisherId !== caller.publisherId) return null;
  return { publisherId: caller.publisherId, statuses, ...common };
}

export function makeInvoices({ db }: InvoicesDeps) {
  return {
    async get(caller: Caller, id: string): Promise<InvoiceView> {
      const [row] = await selectInvoices(db, { id }, 1);
      if (!row) throw invoiceNotFound(id);
      assertCanSeeInvoice(caller, row);
      const linesOf = await selectLines(db, [id]);
      return invoiceView(row, linesOf.get(id) ?? []);
    },

    /** Newest period first, then newest invoice: a stable keyset order over (period, id). */
    async list(caller: Caller, query: InvoiceListQuery): Promise<PageOf<InvoiceView>> {
      const filters = filtersFor(caller, query);
      if (filters === null) return { data: [], nextCursor: null };
      const rows = await selectInvoices(db, filters, query.limit + 1);
      const linesOf = await selectLines(
        db,
        rows.slice(0, query.limit).map((row) => row.id),
      );
      return toPage(
        rows,
        query.limit,
        (row) => [row.period, row.id],
        (row) => invoiceView(row, linesOf.get(row.id) ?? []),
      );
    },
  };
}

export type Invoices = ReturnType<typeof makeInvoices>;
