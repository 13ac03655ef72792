/**
 * Turns a month's earnings into draft invoices, one page of billing accounts at a time: creates a draft,
 * recomputes an existing one, or leaves an issued or paid invoice alone. A page is written with its run's own
 * commit (the run's counters and cursor, moved only while the run is still ours): new drafts and their lines
 * in one guarded write, on PostgreSQL one statement; drafts to void or recompute are written row by row first,
 * in one transaction with it. When anything in it fails, the page is applied again account by account, each in
 * its own savepoint, so one bad account is counted as failed without undoing the rest of the page.
 */
import type { Knex } from 'knex';
import { DomainError, type BulkWrite, type Clock, type Logger, type ModuleDatabase } from '../../src/kernel/index.ts';
import type { EarningsFailure, PublisherEarnings } from '../operations/contract.ts';
import { DRAFT_COLUMNS, LINE_COLUMNS, draftRow, lineRows } from './data/draftRows.ts';
import type { BillingModels, Invoice } from './data/models.ts';
import type { LiveInvoice, PageAccount } from './data/runPage.ts';
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

/**
 * The run's side of a page's commit: makes `writes` (and its own) only while the run is still the caller's, in
 * `trx` if given; answers what it committed, undefined when the run was not the caller's any more (nothing written).
 */
export type PageCommit<T> = (trx: Knex.Transaction | null, outcome: PageOutcome, writes: BulkWrite[]) => Promise<T | undefined>;

/** The commit found the run no longer ours: the page's transaction rolls back. */
class NotCommitted extends Error {}

const COUNTS = ['created', 'updated', 'skipped', 'failed'] as const;

const emptyOutcome = (): PageOutcome => ({ created: 0, updated: 0, skipped: 0, failed: 0, failures: [] });

const rowByRow = (step: Plan) => step.kind === 'void' || step.kind === 'update';

export function makeDraftInvoices({ models, db, invoiceLifecycle, clock, log }: DraftInvoicesDeps) {
  const { Invoice, InvoiceLine } = models;

  /** Only while still a draft at the version read: a draft issued meanwhile is left as issued. */
  const draftAsRead = (trx: Knex.Transaction, live: LiveInvoice) =>
    Invoice.query(trx).findById(live.id).where({ status: 'draft', version: live.version });

  /**
   * Writes the row-by-row part of a plan (voids; recomputed drafts' patches and the DELETE of their old lines) and
   * answers the rest as bulk writes: the new invoices, and the lines of every written draft.
   */
  async function stage(trx: Knex.Transaction | null, steps: Plan[]): Promise<{ outcome: PageOutcome; writes: BulkWrite[] }> {
    const outcome = emptyOutcome();
    const invoices: Record<string, unknown>[] = [];
    const drafts: { invoiceId: string; lines: DraftLine[] }[] = [];
    const rewritten: string[] = [];
    for (const step of steps) {
      if (rowByRow(step) && trx === null) throw new Error('drafts to void or recompute are written in a transaction');
      switch (step.kind) {
        case 'skip':
          outcome.skipped++;
          break;
        case 'fail':
          outcome.failed++;
          outcome.failures.push(step.failure);
          break;
        case 'void': {
          const draft = await draftAsRead(trx!, step.live);
          if (draft) await invoiceLifecycle.voidDraft(trx!, draft, 'no earnings for the period when recomputed');
          outcome[draft ? 'updated' : 'skipped']++;
          break;
        }
        case 'create':
          invoices.push(draftRow(step.invoice));
          drafts.push({ invoiceId: step.invoice.id as string, lines: step.lines });
          outcome.created++;
          break;
        case 'update':
          if ((await draftAsRead(trx!, step.live).patch(step.patch)) !== 1) {
            outcome.skipped++;
            break;
          }
          rewritten.push(step.live.id);
          drafts.push({ invoiceId: step.live.id, lines: step.lines });
          outcome.updated++;
      }
    }
    if (rewritten.length > 0) await InvoiceLine.query(trx!).delete().whereIn('invoice_id', rewritten);
    const lines = drafts.flatMap((draft) => lineRows(draft.invoiceId, draft.lines));
    const writes = [
      { table: 'invoices', columns: DRAFT_COLUMNS, rows: invoices },
      { table: 'invoice_lines', columns: LINE_COLUMNS, rows: lines },
    ];
    return { outcome, writes };
  }

  /** Writes the plan of one account or of a draft being refreshed, in `trx`. */
  async function apply(trx: Knex.Transaction, steps: Plan[]): Promise<PageOutcome> {
    const { outcome, writes } = await stage(trx, steps);
    for (const write of writes) await db.bulkInsert(trx, write.table, write.columns, write.rows);
    return outcome;
  }

  /** The page account by account, each in a savepoint: one that fails is counted and listed, the rest written. */
  async function applyEach(trx: Knex.Transaction, runId: string, page: PageAccount[], steps: Plan[]): Promise<PageOutcome> {
    const outcome = emptyOutcome();
    for (const [index, account] of page.entries()) {
      try {
        const applied = await trx.transaction((savepoint) => apply(savepoint, [steps[index]!]));
        for (const count of COUNTS) outcome[count] += applied[count];
        outcome.failures.push(...applied.failures);
      } catch (error) {
        log.warn({ err: error, runId, publisherId: account.publisherId }, 'invoice run: account failed');
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
  }

  return {
    /** Writes a page's drafts with `commit`; what it committed, undefined when the run was no longer ours. */
    async applyPage<T>(
      run: { id: string; period: string },
      page: PageAccount[],
      earnings: (PublisherEarnings | EarningsFailure)[],
      commit: PageCommit<T>,
    ): Promise<T | undefined> {
      const byPublisher = new Map(earnings.map((e) => [e.publisherId, e]));
      const now = clock.now().toISOString();
      const steps = page.map((account) => plan(run, account, account.live, byPublisher.get(account.publisherId), now));
      const committed = async (trx: Knex.Transaction | null, outcome: PageOutcome, writes: BulkWrite[]) => {
        const result = await commit(trx, outcome, writes);
        if (result === undefined) throw new NotCommitted();
        return result;
      };
      const whole = async (trx: Knex.Transaction | null) => {
        const { outcome, writes } = await stage(trx, steps);
        return committed(trx, outcome, writes);
      };
      try {
        // New drafts only (a first run) need no transaction of their own: the commit is one guarded write.
        return await (steps.some(rowByRow) ? db.writeTransaction(whole) : whole(null));
      } catch (error) {
        if (error instanceof NotCommitted) return undefined;
        log.warn({ err: error, runId: run.id }, 'invoice run: the page failed as a whole; applying it account by account');
      }
      try {
        return await db.writeTransaction(async (trx) => committed(trx, await applyEach(trx, run.id, page, steps), []));
      } catch (error) {
        if (error instanceof NotCommitted) return undefined;
        throw error;
      }
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
