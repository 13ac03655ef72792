/**
 * Reading invoices and their lines for the API, the hot read path: fixed SQL run through `db.select`, which keeps
 * each statement text prepared. Every set of filters makes one text, the same on every request (the conditions in
 * one order, the columns named and aliased to the view's names), so the database parses and plans it once.
 */
import type { Knex } from 'knex';
import type { ModuleDatabase } from '../../../src/kernel/index.ts';
import type { InvoiceStatus } from './models.ts';

/** Which invoices: each filter given narrows the list. */
export interface InvoiceFilters {
  id?: string;
  publisherId?: string;
  statuses?: readonly InvoiceStatus[];
  period?: string;
  /** The keyset cursor: only invoices after this one in the list's order (newest period first, then newest id). */
  after?: { period: string; id: string };
}

/** An invoice row as the database returns it: bigints may be strings (PostgreSQL), bill_to is JSON text. */
export interface InvoiceRow {
  id: string;
  number: string | null;
  publisherId: string;
  period: string;
  status: InvoiceStatus;
  currency: string;
  totalMinor: number | string;
  paidMinor: number | string;
  revenueShareBps: number;
  billTo: string | null;
  issuedAt: string | null;
  dueAt: string | null;
  paidAt: string | null;
  voidedAt: string | null;
  voidReason: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface InvoiceLineRow {
  invoiceId: string;
  appId: string;
  description: string;
  impressions: number | string;
  grossMicros: number | string;
  amountMinor: number | string;
}

const camelCase = (column: string) => column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
const selectList = (columns: string[]) =>
  columns.map((column) => (camelCase(column) === column ? `"${column}"` : `"${column}" as "${camelCase(column)}"`)).join(', ');
const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

const INVOICE_COLUMNS = selectList([
  'id', 'number', 'publisher_id', 'period', 'status', 'currency', 'total_minor', 'paid_minor', 'revenue_share_bps', 'bill_to',
  'issued_at', 'due_at', 'paid_at', 'voided_at', 'void_reason', 'version', 'created_at', 'updated_at',
]);
const LINE_COLUMNS = selectList(['invoice_id', 'app_id', 'description', 'impressions', 'gross_micros', 'amount_minor']);

/** The WHERE clause of a set of filters and its bindings; a filter's condition always has the same place. */
function whereOf(filters: InvoiceFilters): { where: string; bindings: Knex.Value[] } {
  const conditions: string[] = [];
  const bindings: Knex.Value[] = [];
  const where = (condition: string, ...values: Knex.Value[]) => {
    conditions.push(condition);
    bindings.push(...values);
  };
  if (filters.id !== undefined) where('"id" = ?', filters.id);
  if (filters.publisherId !== undefined) where('"publisher_id" = ?', filters.publisherId);
  if (filters.statuses !== undefined) where(`"status" in (${placeholders(filters.statuses.length)})`, ...filters.statuses);
  if (filters.period !== undefined) where('"period" = ?', filters.period);
  if (filters.after !== undefined) {
    const { period, id } = filters.after;
    where('("period" < ? or ("period" = ? and "id" < ?))', period, period, id);
  }
  return { where: conditions.length === 0 ? '' : ` where ${conditions.join(' and ')}`, bindings };
}

/** At most `limit` invoices matching the filters, newest period first, then newest id. */
export function selectInvoices(db: ModuleDatabase, filters: InvoiceFilters, limit: number): Promise<InvoiceRow[]> {
  const { where, bindings } = whereOf(filters);
  const sql = `select ${INVOICE_COLUMNS} from "invoices"${where} order by "period" desc, "id" desc limit ?`;
  return db.select<InvoiceRow>(sql, [...bindings, limit]);
}

/** The lines of these invoices, by invoice, each invoice's in position order. */
export async function selectLines(db: ModuleDatabase, invoiceIds: string[]): Promise<Map<string, InvoiceLineRow[]>> {
  const linesOf = new Map<string, InvoiceLineRow[]>();
  if (invoiceIds.length === 0) return linesOf;
  const ids = placeholders(invoiceIds.length);
  const sql = `select ${LINE_COLUMNS} from "invoice_lines" where "invoice_id" in (${ids}) order by "position" asc`;
  for (const line of await db.select<InvoiceLineRow>(sql, invoiceIds)) {
    const lines = linesOf.get(line.invoiceId);
    if (lines) lines.push(line);
    else linesOf.set(line.invoiceId, [line]);
  }
  return linesOf;
}
