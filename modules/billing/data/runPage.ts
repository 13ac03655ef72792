/**
 * The next page of an invoice run in one read: the billing accounts after the run's cursor, in publisher id
 * order, each with its live (non-void) invoice of the month; the lines of those still drafts follow in a second
 * read, only when there are any (a re-run).
 */
import type { ModuleDatabase } from '../../../src/kernel/index.ts';
import type { BillingModels, Invoice } from './models.ts';

/** What the run decides from: a live invoice's identity, state and share; a draft's lines to compare. */
export type LiveInvoice = Pick<Invoice, 'id' | 'status' | 'version' | 'revenueShareBps' | 'lines'>;

export interface PageAccount {
  publisherId: string;
  currency: string;
  live: LiveInvoice | undefined;
}

interface Row {
  publisher_id: string;
  currency: string;
  invoice_id: string | null;
  status: Invoice['status'] | null;
  version: number | null;
  revenue_share_bps: number | null;
}

const ACCOUNTS = 'SELECT publisher_id, currency FROM billing_accounts WHERE publisher_id > ? ORDER BY publisher_id LIMIT ?';
const COLUMNS = 'a.publisher_id, a.currency, i.id AS invoice_id, i.status, i.version, i.revenue_share_bps';

/**
 * PostgreSQL: the invoice is looked up per account (a LATERAL subquery, kept apart by OFFSET 0), so each is a
 * probe of `invoices_one_live_per_period`; as a plain join, statistics taken before the run can make it a scan
 * of every invoice of the month on every page. SQLite joins account by account anyway.
 */
const PAGE = {
  postgres:
    `SELECT ${COLUMNS} FROM (${ACCOUNTS}) a LEFT JOIN LATERAL (SELECT id, status, version, revenue_share_bps FROM invoices ` +
    `WHERE publisher_id = a.publisher_id AND period = ? AND status <> 'void' OFFSET 0) i ON true ORDER BY a.publisher_id`,
  sqlite:
    `SELECT ${COLUMNS} FROM (${ACCOUNTS}) a LEFT JOIN invoices i ` +
    `ON i.publisher_id = a.publisher_id AND i.period = ? AND i.status <> 'void' ORDER BY a.publisher_id`,
};

export async function readRunPage(
  { InvoiceLine }: BillingModels,
  db: ModuleDatabase,
  run: { period: string; cursor: string | null },
  limit: number,
): Promise<PageAccount[]> {
  const rows = await db.select<Row>(PAGE[db.dialect], [run.cursor ?? '', limit, run.period]);
  const page = rows.map(
    (row): PageAccount => ({
      publisherId: row.publisher_id,
      currency: row.currency,
      live:
        row.invoice_id === null
          ? undefined
          : { id: row.invoice_id, status: row.status!, version: row.version!, revenueShareBps: row.revenue_share_bps!, lines: [] },
    }),
  );
  const drafts = new Map(page.flatMap(({ live }) => (live?.status === 'draft' ? [[live.id, live]] : [])));
  if (drafts.size === 0) return page;
  const lines = await InvoiceLine.query().whereIn('invoice_id', [...drafts.keys()]).orderBy(['invoice_id', 'position']);
  for (const line of lines) drafts.get(line.invoiceId)!.lines!.push(line);
  return page;
}
