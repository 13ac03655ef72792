/**
 * Reading invoices: one invoice, or a filtered page newest first. A publisher
 * sees only its own issued and paid invoices; anything else is "not found".
 */
import { assertCanSee, decodeCursor, invalid, jsonIntegerOf, toPage, type Caller, type ModuleDatabase, type PageOf } from '../../src/kernel/index.ts';
import type { BillTo, BillingModels, Invoice, InvoiceStatus } from './data/models.ts';
import { invoiceNotFound } from './errors.ts';

export interface InvoicesDeps {
  models: BillingModels;
  db: ModuleDatabase;
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
      grossMicros: line.grossMicros,
      amountMinor: line.amountMinor,
    })),
    billTo: withAddress(row.billTo),
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

interface InvoiceRow {
  id: string;
  number: string | null;
  publisher_id: string;
  period: string;
  status: InvoiceStatus;
  currency: string;
  total_minor: number | string;
  paid_minor: number | string;
  revenue_share_bps: number;
  bill_to: string | null;
  issued_at: string | null;
  due_at: string | null;
  paid_at: string | null;
  voided_at: string | null;
  void_reason: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

interface LineRow {
  invoice_id: string;
  app_id: string;
  description: string;
  impressions: number | string;
  gross_micros: number | string;
  amount_minor: number | string;
}

/** Invoices issued before addresses were kept have none. */
const withAddress = (billTo: BillTo | null): BillTo | null => (billTo ? { ...billTo, address: billTo.address ?? null } : null);

/** The same view as invoiceView(), straight from rows: the list is the hot read path, and skipping model hydration halves its cost. */
function invoiceViewOfRow(row: InvoiceRow, lines: LineRow[]): InvoiceView {
  return {
    id: row.id,
    number: row.number,
    publisherId: row.publisher_id,
    period: row.period,
    status: row.status,
    currency: row.currency,
    totalMinor: jsonIntegerOf(row.total_minor),
    paidMinor: jsonIntegerOf(row.paid_minor),
    revenueShareBps: row.revenue_share_bps,
    lines: lines.map((line) => ({
      appId: line.app_id,
      description: line.description,
      impressions: jsonIntegerOf(line.impressions),
      grossMicros: jsonIntegerOf(line.gross_micros),
      amountMinor: jsonIntegerOf(line.amount_minor),
    })),
    billTo: withAddress(typeof row.bill_to === 'string' ? (JSON.parse(row.bill_to) as BillTo) : row.bill_to),
    issuedAt: row.issued_at,
    dueAt: row.due_at,
    paidAt: row.paid_at,
    voidedAt: row.voided_at,
    voidReason: row.void_reason,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

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

/**
 * The list is the hot read path: its SQL is written once per shape (which filters are set) and kept
 * prepared, instead of built by Knex on every request. The conditions are those the filters name, in order.
 */
const INVOICE_COLUMNS = ['id', 'number', 'publisher_id', 'period', 'status', 'currency', 'total_minor', 'paid_minor', 'revenue_share_bps', 'bill_to', 'issued_at', 'due_at', 'paid_at', 'voided_at', 'void_reason', 'version', 'created_at', 'updated_at']
  .map((c) => `"${c}"`)
  .join(', ');
const CONDITIONS: Record<string, string> = {
  O: '"publisher_id" = ? and "status" in (?)', // a publisher, one published status
  M: '"publisher_id" = ? and "status" in (?, ?)', // a publisher, every published status
  p: '"publisher_id" = ?',
  s: '"status" = ?',
  d: '"period" = ?',
  c: '("period" < ? or ("period" = ? and "id" < ?))', // after the cursor
};
const listSqls = new Map<string, string>();
const linesSqls = new Map<number, string>();

function listSql(shape: string): string {
  let sql = listSqls.get(shape);
  if (sql === undefined) {
    const where = [...shape].map((part) => CONDITIONS[part]!).join(' and ');
    sql = `select ${INVOICE_COLUMNS} from "invoices"${where ? ` where ${where}` : ''} order by "period" desc, "id" desc limit ?`;
    listSqls.set(shape, sql);
  }
  return sql;
}

function linesSql(count: number): string {
  let sql = linesSqls.get(count);
  if (sql === undefined) {
    const ids = Array.from({ length: count }, () => '?').join(', ');
    sql = `select "invoice_id", "app_id", "description", "impressions", "gross_micros", "amount_minor" from "invoice_lines" where "invoice_id" in (${ids}) order by "position" asc`;
    linesSqls.set(count, sql);
  }
  return sql;
}

export function makeInvoices({ models, db }: InvoicesDeps) {
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
      const bindings: string[] = [];
      let shape = '';
      if (caller.role === 'publisher') {
        // Whatever the filters say, a publisher's page holds only its own published invoices.
        const asked = filter.status ? [filter.status] : PUBLISHED;
        const statuses = asked.filter((s) => PUBLISHED.includes(s));
        if (caller.publisherId === null || statuses.length === 0) return { data: [], nextCursor: null };
        if (filter.publisherId !== undefined && filter.publisherId !== caller.publisherId) return { data: [], nextCursor: null };
        shape += statuses.length === 1 ? 'O' : 'M';
        bindings.push(caller.publisherId, ...statuses);
      } else {
        if (filter.publisherId !== undefined) {
          shape += 'p';
          bindings.push(filter.publisherId);
        }
        if (filter.status !== undefined) {
          shape += 's';
          bindings.push(filter.status);
        }
      }
      if (filter.period !== undefined) {
        shape += 'd';
        bindings.push(filter.period);
      }
      if (after) {
        shape += 'c';
        bindings.push(after[0], after[0], after[1]);
      }
      const rows = await db.select<InvoiceRow>(listSql(shape), [...bindings, filter.limit + 1]);
      const shown = rows.slice(0, filter.limit).map((row) => row.id);
      const lines = shown.length === 0 ? [] : await db.select<LineRow>(linesSql(shown.length), shown);
      const linesOf = new Map<string, LineRow[]>();
      for (const line of lines) {
        const list = linesOf.get(line.invoice_id);
        if (list) list.push(line);
        else linesOf.set(line.invoice_id, [line]);
      }
      return toPage(rows, filter.limit, (row) => [row.period, row.id], (row) => invoiceViewOfRow(row, linesOf.get(row.id) ?? []));
    },
  };
}

export type Invoices = ReturnType<typeof makeInvoices>;
