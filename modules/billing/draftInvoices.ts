/**
 * Turns a month's earnings into draft invoices, one page of billing accounts
 * at a time: creates a draft, recomputes an existing one, or leaves an issued
 * or paid invoice alone. A page is written in a few multi-row statements
 * inside one savepoint; when anything in it fails, the page is applied again
 * account by account, each in its own savepoint, so one bad account is counted
 * as failed without undoing the rest of the page.
 */
import type { Knex } from 'knex';
import { DomainError, type Clock, type Logger, type ModuleDatabase } from '../../src/kernel/index.ts';
import type { EarningsFailure, PublisherEarnings } from '../operations/contract.ts';
import { DRAFT_COLUMNS, LINE_COLUMNS, draftRow, lineRows } from './data/draftRows.ts';
import type { BillingAccount, BillingModels, Invoice } from './data/models.ts';
import { plan, type DraftLine, type Plan, type RunFailure } from './draftPlan.ts';
import type { InvoiceLifecycle } from './invoiceLifecycle.ts';

export interface DraftInvoicesDeps {
  models: BillingModels;
  db: ModuleDatabase;
  invoiceLifecycle: InvoiceLifecycle;
  clock: Clock;
  log: Logger;
}

export interface PageOutcome {
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  failures: RunFailure[];
}

const COUNTS = ['created', 'updated', 'skipped', 'failed'] as const;

const emptyOutcome = (): PageOutcome => ({ created: 0, updated: 0, skipped: 0, failed: 0, failures: [] });

export function makeDraftInvoices({ models, db, invoiceLifecycle, clock, log }: DraftInvoicesDeps) {
  const { Invoice, InvoiceLine } = models;

  /** Patches a draft only while still a draft at the version read: a draft issued meanwhile is left as issued. */
  async function patchDraft(trx: Knex.Transaction, live: Invoice, patch: Record<string, unknown>): Promise<boolean> {
    return (await Invoice.query(trx).findById(live.id).where({ status: 'draft', version: live.version }).patch(patch)) === 1;
  }

  /**
   * Writes the plan of one account or of a whole page: voids and recomputed drafts row by row, then one DELETE of
   * the recomputed drafts' lines and bulk INSERTs of the new invoices and of every written draft's lines.
   */
  async function apply(trx: Knex.Transaction, steps: Plan[]): Promise<PageOutcome> {
    const outcome = emptyOutcome();
    const invoices: Record<string, unknown>[] = [];
    const drafts: { invoiceId: string; lines: DraftLine[] }[] = [];
    const rewritten: string[] = [];
    for (const step of steps) {
      switch (step.kind) {
        case 'skip':
          outcome.skipped++;
          break;
        case 'fail':
          outcome.failed++;
          outcome.failures.push(step.failure);
          break;
        case 'void':
          await invoiceLifecycle.voidDraft(trx, step.live, 'no earnings for the period when recomputed');
          outcome.updated++;
          break;
        case 'create':
          invoices.push(draftRow(step.invoice));
          drafts.push({ invoiceId: step.invoice.id as string, lines: step.lines });
          outcome.created++;
          break;
        case 'update':
          if (!(await patchDraft(trx, step.live, step.patch))) {
            outcome.skipped++;
            break;
          }
          rewritten.push(step.live.id);
          drafts.push({ invoiceId: step.live.id, lines: step.lines });
          outcome.updated++;
      }
    }
    if (rewritten.length > 0) await InvoiceLine.query(trx).delete().whereIn('invoice_id', rewritten);
    const lines = drafts.flatMap((draft) => lineRows(draft.invoiceId, draft.lines));
    await db.bulkInsert(trx, 'invoices', DRAFT_COLUMNS, invoices);
    await db.bulkInsert(trx, 'invoice_lines', LINE_COLUMNS, lines);
    return outcome;
  }

  return {
    async applyPage(
      trx: Knex.Transaction,
      run: { id: string; period: string },
      accounts: BillingAccount[],
      earnings: (PublisherEarnings | EarningsFailure)[],
    ): Promise<PageOutcome> {
      const ids = accounts.map((a) => a.publisherId);
      const byPublisher = new Map(earnings.map((e) => [e.publisherId, e]));
      if (ids.length === 0) return emptyOutcome();
      // The page's id range (accounts come in publisher id order, the database's) as well as its ids: with it the
      // lookup is an index range scan on (publisher_id, period) whatever the statistics say; with the ids alone,
      // PostgreSQL may take the period index and read every invoice of the month on every page.
      const live = await Invoice.query(trx)
        .whereBetween('publisher_id', [ids[0]!, ids[ids.length - 1]!])
        .whereIn('publisher_id', ids)
        .where('period', run.period)
        .whereNot('status', 'void')
        .withGraphFetched('lines');
      const liveByPublisher = new Map(live.map((i) => [i.publisherId, i]));
      const now = clock.now().toISOString();
      const steps = accounts.map((account) =>
        plan(run, account, liveByPublisher.get(account.publisherId), byPublisher.get(account.publisherId), now),
      );
      try {
        return await trx.transaction((savepoint) => apply(savepoint, steps));
      } catch (error) {
        log.warn({ err: error, runId: run.id }, 'invoice run: the page failed as a whole; applying it account by account');
      }
      const outcome = emptyOutcome();
      for (const [index, account] of accounts.entries()) {
        const step = steps[index]!;
        try {
          const applied = await trx.transaction((savepoint) => apply(savepoint, [step]));
          for (const count of COUNTS) outcome[count] += applied[count];
          outcome.failures.push(...applied.failures);
        } catch (error) {
          log.warn({ err: error, runId: run.id, publisherId: account.publisherId }, 'invoice run: account failed');
          outcome.failed++;
          outcome.failures.push({
            publisherId: account.publisherId,
            ...(error instanceof DomainError
              ? { code: error.code, message: error.message }
              : {
                  code: 'BILLING.ACCOUNT_FAILED',
                  message: 'The draft could not be written (unexpected error: see the logs); a re-run retries it',
                }),
          });
        }
      }
      return outcome;
    },

    /** Brings one draft (with its lines) up to the given earnings, or voids it without share; the draft as it now is. */
    async refresh(trx: Knex.Transaction, draft: Invoice, earnings: PublisherEarnings): Promise<Invoice> {
      const step = plan({ id: draft.runId, period: draft.period }, draft, draft, earnings, clock.now().toISOString());
      await apply(trx, [step]);
      return (await Invoice.query(trx).findById(draft.id))!;
    },
  };
}

export type DraftInvoices = ReturnType<typeof makeDraftInvoices>;
