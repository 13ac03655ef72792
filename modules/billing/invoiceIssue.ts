/**
 * Issuing crosses the module boundary, so it is a protocol, not a transaction.
 * What it keeps: an issued invoice bills exactly the delivery Operations
 * accepted for its month, and once the issue answers no row can change that
 * month. No transaction spans both modules:
 *
 * 1. begin (Billing): the draft is checked and an issue attempt recorded with
 *    a fence, a number that only grows. An attempt still active for the same
 *    invoice is taken over: it may no longer issue.
 * 2. close (Operations, through its facade): the month closes for this attempt
 *    if its figures at that instant are the ones the draft bills. Delivery
 *    writes wait for the close, or find the month closed.
 * 3. finish (Billing): the draft is issued if the attempt is still the active
 *    one and the draft unchanged; otherwise the attempt steps back.
 *
 * An attempt that stepped back, failed, or whose process died has its close
 * released: Operations reopens the month only if that very attempt closed it
 * (so a later attempt's close is never undone). The request releases at once
 * when it can; the recovery sweep (recover) releases the rest, and gives up
 * attempts left active longer than `abandonAfterMs`. A stale draft is brought
 * up to date and the issue refused (409), for finance to review and issue again.
 */
import { DomainError, monthHasEnded, type Clock, type Facade, type Logger, type ModuleDatabase } from '../../src/kernel/index.ts';
import type { operationsContract, PublisherEarnings } from '../operations/contract.ts';
import { makeIssueAttempts, type Attempt } from './data/issueAttempts.ts';
import { forUpdate } from './data/rowLocks.ts';
import type { BillingModels, Invoice } from './data/models.ts';
import type { DraftInvoices } from './draftInvoices.ts';
import { changedConcurrently, draftStale, illegalTransition, issueSuperseded, operationsUnavailable, periodNotEnded } from './errors.ts';
import type { InvoiceLifecycle } from './invoiceLifecycle.ts';
import { invoiceView, type InvoiceView } from './invoices.ts';

export interface IssueOptions {
  /** An attempt still active after this long is taken as abandoned (its process died) and its close released. */
  abandonAfterMs: number;
  /** How often the recovery sweep looks for attempts to release. */
  sweepMs: number;
}

export const DEFAULT_ISSUE_OPTIONS: IssueOptions = { abandonAfterMs: 15_000, sweepMs: 1_000 };

export interface InvoiceIssueDeps {
  models: BillingModels;
  db: ModuleDatabase;
  clock: Clock;
  log: Logger;
  operationsFacade: Facade<typeof operationsContract>;
  invoiceLifecycle: InvoiceLifecycle;
  draftInvoices: DraftInvoices;
  issueOptions: IssueOptions;
}

export function makeInvoiceIssue({
  models,
  db,
  clock,
  log,
  operationsFacade,
  invoiceLifecycle,
  draftInvoices,
  issueOptions,
}: InvoiceIssueDeps) {
  const { Invoice } = models;
  const lock = forUpdate(db.dialect);
  const attempts = makeIssueAttempts(db);

  async function begin(id: string, expectedVersion: number | undefined): Promise<{ attempt: Attempt; draft: Invoice }> {
    return db.writeTransaction(async (trx) => {
      const draft = await invoiceLifecycle.lockForChange(trx, id, 'issued', expectedVersion);
      if (!monthHasEnded(draft.period, clock.now())) throw periodNotEnded(draft.period);
      await invoiceLifecycle.billTo(trx, draft.publisherId); // no account, nobody to issue to
      draft.lines = await draft.$relatedQuery('lines', trx);
      const started = clock.now().toISOString();
      const attempt = await attempts.begin(trx, { invoiceId: id, publisherId: draft.publisherId, period: draft.period }, started);
      return { attempt, draft };
    });
  }

  /** Issues the draft if this attempt is still the active one and the draft what Operations checked; null otherwise. */
  async function finish(attempt: Attempt, version: number): Promise<Invoice | null> {
    return db.writeTransaction(async (trx) => {
      const invoice = await Invoice.query(trx).findById(attempt.invoiceId).modify(lock);
      const active = await attempts.isActive(trx, attempt.fence);
      if (!active || invoice?.status !== 'draft' || invoice.version !== version) {
        if (active) await attempts.stepBack(trx, attempt.fence);
        return null;
      }
      const issued = await invoiceLifecycle.issueDraft(trx, invoice);
      await attempts.forget(attempt.fence, trx);
      issued.lines = await issued.$relatedQuery('lines', trx);
      return issued;
    });
  }

  /** Reopens the month if this attempt closed it, then forgets the attempt. */
  async function release(attempt: Attempt): Promise<void> {
    const { fence, invoiceId, publisherId, period } = attempt;
    await operationsFacade.releaseMonth({ publisherId, period, invoiceId, fence });
    await attempts.released(fence);
  }

  /** The attempt may no longer issue; its close is released now, or by the sweep when Operations cannot be reached. */
  async function stepBack(attempt: Attempt): Promise<void> {
    await db.writeTransaction((trx) => attempts.stepBack(trx, attempt.fence));
    await release(attempt).catch((error) =>
      log.warn(
        { err: error, invoiceId: attempt.invoiceId, fence: attempt.fence },
        'issue: close not released yet; the recovery sweep will',
      ),
    );
  }

  /** Why `finish` refused, as the caller should hear it. */
  async function whyNotIssued(id: string, version: number): Promise<DomainError> {
    const now = await Invoice.query().findById(id);
    if (now && now.status !== 'draft') return illegalTransition(now.status, 'issued');
    return now && now.version !== version ? changedConcurrently('The invoice') : issueSuperseded(id);
  }

  /** Brings a stale draft up to the month's figures (or voids it without share), then refuses the issue. */
  async function refuseStale(draft: Invoice, earnings: PublisherEarnings): Promise<never> {
    const error = await db.writeTransaction(async (trx) => {
      const current = await Invoice.query(trx).findById(draft.id).modify(lock);
      if (current?.status !== 'draft' || current.version !== draft.version) return changedConcurrently('The invoice');
      current.lines = draft.lines;
      const refreshed = await draftInvoices.refresh(trx, current, earnings);
      return draftStale(draft.id, draft.totalMinor, refreshed.totalMinor, refreshed.version, refreshed.status === 'void');
    });
    throw error;
  }

  return {
    async issue(id: string, expectedVersion?: number): Promise<InvoiceView> {
      const { attempt, draft } = await begin(id, expectedVersion);
      let closed;
      try {
        closed = await operationsFacade.closeMonth({
          ...attempt,
          expected: (draft.lines ?? []).map((line) => ({
            appId: line.appId,
            grossMicros: line.grossMicros,
            impressions: line.impressions,
          })),
        });
      } catch (error) {
        await stepBack(attempt);
        if (error instanceof DomainError && error.kind !== 'unavailable') throw error;
        log.warn({ err: error, invoiceId: id }, 'issue: closing the month failed');
        throw operationsUnavailable(id);
      }
      if (closed.outcome === 'closed') {
        const issued = await finish(attempt, draft.version);
        if (issued) return invoiceView(issued);
        await release(attempt).catch(() => undefined); // the sweep retries
        throw await whyNotIssued(id, draft.version);
      }
      // Operations did not close the month for this attempt: nothing to release.
      await attempts.forget(attempt.fence);
      if (closed.outcome === 'superseded') throw issueSuperseded(id);
      return refuseStale(draft, closed.earnings!);
    },

    /**
     * The recovery sweep: gives up attempts active longer than abandonAfterMs, and releases the close
     * of every attempt that may no longer issue. Safe on several instances at once (releases are precise).
     */
    async recover(): Promise<number> {
      const abandonedBefore = new Date(clock.now().getTime() - issueOptions.abandonAfterMs).toISOString();
      await attempts.abandonStartedBefore(abandonedBefore);
      const waiting = await attempts.releasing(100);
      for (const attempt of waiting) await release(attempt);
      return waiting.length;
    },
  };
}

export type InvoiceIssue = ReturnType<typeof makeInvoiceIssue>;
