/**
 * Turns a month's earnings into draft invoices, one page of billing accounts
 * at a time: creates a draft, recomputes an existing one, or leaves an issued
 * or paid invoice alone. Every account runs in its own savepoint, so one bad
 * account is counted as failed without undoing the rest of the page.
 */
import type { Knex } from 'knex';
import { lineMinor, newId, sum, toJsonInteger, type Clock, type Logger } from '../../src/kernel/index.ts';
import type { PublisherEarnings } from '../operations/contract.ts';
import type { BillingAccount, BillingModels, Invoice } from './data/models.ts';
import type { InvoiceLifecycle } from './invoiceLifecycle.ts';

export interface DraftInvoicesDeps {
  models: BillingModels;
  invoiceLifecycle: InvoiceLifecycle;
  clock: Clock;
  log: Logger;
}

export interface DraftLine {
  appId: string;
  description: string;
  impressions: number;
  grossMicros: number;
  amountMinor: number;
}

export interface PageOutcome {
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

type Outcome = keyof PageOutcome;

/** One line per app that earned; each line rounded once, half-up, straight from gross; total = sum of lines. */
export function draftLines(earnings: PublisherEarnings): { lines: DraftLine[]; totalMinor: number } {
  const lines = earnings.apps
    .filter((app) => app.grossMicros > 0)
    .sort((a, b) => (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : 0))
    .map((app) => ({
      appId: app.appId,
      description: app.name,
      impressions: app.impressions,
      grossMicros: app.grossMicros,
      amountMinor: toJsonInteger(lineMinor(app.grossMicros, earnings.revenueShareBps)),
    }));
  return { lines, totalMinor: toJsonInteger(sum(lines.map((line) => line.amountMinor))) };
}

function sameDraft(invoice: Invoice, bps: number, lines: DraftLine[]): boolean {
  const old = invoice.lines ?? [];
  return (
    invoice.revenueShareBps === bps &&
    old.length === lines.length &&
    old.every((o, i) => {
      const n = lines[i]!;
      return o.appId === n.appId && o.description === n.description && o.impressions === n.impressions &&
        o.grossMicros === n.grossMicros && o.amountMinor === n.amountMinor;
    })
  );
}

export function makeDraftInvoices({ models, invoiceLifecycle, clock, log }: DraftInvoicesDeps) {
  const { Invoice, InvoiceLine } = models;

  async function writeLines(trx: Knex.Transaction, invoiceId: string, lines: DraftLine[]): Promise<void> {
    await InvoiceLine.query(trx).delete().where('invoice_id', invoiceId);
    if (lines.length === 0) return;
    // One multi-row insert (Objection inserts several rows at once on PostgreSQL only).
    await trx('invoice_lines').insert(lines.map((line, position) => InvoiceLine.fromJson({ ...line, invoiceId, position }).$toDatabaseJson()));
  }

  async function applyOne(
    trx: Knex.Transaction,
    run: { id: string; period: string },
    account: BillingAccount,
    live: Invoice | undefined,
    earnings: PublisherEarnings | undefined,
  ): Promise<Outcome> {
    // Issued and paid invoices never change: a correction is void + a new invoice.
    if (live && live.status !== 'draft') return 'skipped';
    const computed = earnings ? draftLines(earnings) : { lines: [], totalMinor: 0 };
    const now = clock.now().toISOString();
    if (computed.totalMinor === 0) {
      if (!live) return 'skipped';
      await invoiceLifecycle.voidDraft(trx, live, 'no earnings for the period when recomputed');
      return 'updated';
    }
    const bps = earnings!.revenueShareBps;
    if (!live) {
      const id = newId('inv');
      await Invoice.query(trx).insert({
        id, publisherId: account.publisherId, period: run.period, status: 'draft', currency: account.currency,
        totalMinor: computed.totalMinor, paidMinor: 0, revenueShareBps: bps, runId: run.id, version: 1, createdAt: now, updatedAt: now,
      });
      await writeLines(trx, id, computed.lines);
      return 'created';
    }
    if (sameDraft(live, bps, computed.lines)) return 'skipped';
    // Only while still a draft at the version we read: a draft issued meanwhile is left as issued.
    const updated = await Invoice.query(trx)
      .findById(live.id)
      .where({ status: 'draft', version: live.version })
      .patch({ totalMinor: computed.totalMinor, revenueShareBps: bps, runId: run.id, version: live.version + 1, updatedAt: now });
    if (updated !== 1) return 'skipped';
    await writeLines(trx, live.id, computed.lines);
    return 'updated';
  }

  return {
    async applyPage(
      trx: Knex.Transaction,
      run: { id: string; period: string },
      accounts: BillingAccount[],
      earnings: PublisherEarnings[],
    ): Promise<PageOutcome> {
      const ids = accounts.map((a) => a.publisherId);
      const byPublisher = new Map(earnings.map((e) => [e.publisherId, e]));
      const live = await Invoice.query(trx).whereIn('publisher_id', ids).where('period', run.period).whereNot('status', 'void').withGraphFetched('lines');
      const liveByPublisher = new Map(live.map((i) => [i.publisherId, i]));
      const outcome: PageOutcome = { created: 0, updated: 0, skipped: 0, failed: 0 };
      for (const account of accounts) {
        try {
          const result = await trx.transaction((savepoint) =>
            applyOne(savepoint, run, account, liveByPublisher.get(account.publisherId), byPublisher.get(account.publisherId)),
          );
          outcome[result]++;
        } catch (error) {
          log.warn({ err: error, runId: run.id, publisherId: account.publisherId }, 'invoice run: account failed');
          outcome.failed++;
        }
      }
      return outcome;
    },
  };
}

export type DraftInvoices = ReturnType<typeof makeDraftInvoices>;
