/**
 * Executes a claimed invoice run: pages through billing accounts in publisher
 * id order, asks Operations for a whole page's earnings in one call, and
 * commits the page's drafts, the run's counters, its cursor and its lease in
 * one transaction, so a run cut short anywhere resumes exactly after its last
 * committed page and converges to the same invoices. A heartbeat renews the
 * run's lease while it runs, however long a page takes.
 */
import { setImmediate } from 'node:timers/promises';
import {
  DomainError,
  keepLease,
  type Facade,
  type LeaseHeartbeat,
  type LeaseLapse,
  type Logger,
  type ModuleDatabase,
} from '../../src/kernel/index.ts';
import type { EarningsFailure, operationsContract, PublisherEarnings } from '../operations/contract.ts';
import type { BillingModels, InvoiceRun } from './data/models.ts';
import { runFailuresWrite } from './data/runFailures.ts';
import { readRunPage } from './data/runPage.ts';
import type { DraftInvoices } from './draftInvoices.ts';
import type { InvoiceRuns, RunView } from './invoiceRuns.ts';
import type { InvoiceRunOptions } from './runOptions.ts';

export interface InvoiceRunnerDeps {
  models: BillingModels;
  db: ModuleDatabase;
  log: Logger;
  operationsFacade: Facade<typeof operationsContract>;
  draftInvoices: DraftInvoices;
  invoiceRuns: InvoiceRuns;
  runOptions: InvoiceRunOptions;
}

export interface RunHooks {
  /** After every committed page, with the run's counters. */
  onProgress?: (run: RunView) => void;
  /** Checked between pages: true hands the run back to the queue (graceful shutdown). */
  shouldStop?: () => boolean;
}

/** The lease lapsed: another worker took the run over, or may; stop without touching it. */
class LeaseLost extends Error {
  readonly why: LeaseLapse;
  constructor(why: LeaseLapse) {
    super(`lease ${why}`);
    this.why = why;
  }
}

/** Past a lease the heartbeat could not renew, another worker may be running the same page. */
function ensureHeld(lease: LeaseHeartbeat): void {
  const lapse = lease.lapse();
  if (lapse) throw new LeaseLost(lapse);
}

/** Stopping (shutdown) while Operations was unavailable: the run goes back to the queue, not to failed. */
class HandBack extends Error {}

/** How often, at most, a run waiting for Operations asks again. */
const OUTAGE_POLL_MS = 2_000;

/** Claims after which a run is given up: a run that kills its process would otherwise kill every process in turn. */
const MAX_ATTEMPTS = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function makeInvoiceRunner({ models, db, log, operationsFacade, draftInvoices, invoiceRuns, runOptions }: InvoiceRunnerDeps) {
  const { InvoiceRun } = models;

  /**
   * A page's earnings. Operations unavailable (down, or its process draining) is an outage, not a failure: the
   * run waits for it, holding its lease, for as long as the worker runs. Other failures are retried a few times.
   */
  async function earningsOf(
    publisherIds: string[],
    month: string,
    lease: LeaseHeartbeat,
    shouldStop: () => boolean,
  ): Promise<(PublisherEarnings | EarningsFailure)[]> {
    let failures = 0;
    for (let outage = 0; ;) {
      try {
        return await operationsFacade.earningsForMonth({ publisherIds, month });
      } catch (error) {
        if (error instanceof DomainError && error.kind === 'unavailable') {
          if (outage === 0) log.warn({ err: error }, 'invoice run: Operations is unavailable; waiting for it');
          await sleep(Math.min(250 * 2 ** outage++, OUTAGE_POLL_MS));
          ensureHeld(lease);
          if (shouldStop()) throw new HandBack();
          continue;
        }
        const wait = runOptions.retryDelaysMs[failures++];
        if (wait === undefined) throw error;
        log.warn({ err: error, attempt: failures }, 'invoice run: earnings call failed, retrying');
        await sleep(wait);
      }
    }
  }

  /** One page: the run as that page left it, or null when there was nothing left. */
  async function runPage(run: InvoiceRun, owner: string, lease: LeaseHeartbeat, shouldStop: () => boolean): Promise<InvoiceRun | null> {
    // A page on SQLite with Operations in the process does no real I/O (better-sqlite3 answers at once), so the
    // run would go from page to page on promise continuations alone: the heartbeat's timer, and every request
    // the process serves, would wait for the whole run. Each page waits its turn in the event loop.
    await setImmediate();
    ensureHeld(lease);
    const page = await readRunPage(models, db, run, runOptions.pageSize);
    if (page.length === 0) return null;
    const earnings = await earningsOf(
      page.map((a) => a.publisherId),
      run.period,
      lease,
      shouldStop,
    );
    const cursor = page[page.length - 1]!.publisherId;
    ensureHeld(lease);
    const committing = performance.now();
    // The commit's own proof that the run is still ours, whatever the heartbeat last saw: its guard.
    const advanced = await draftInvoices.applyPage(run, page, earnings, async (trx, { failures, ...counts }, writes) => {
      const guard = invoiceRuns.advance(run, owner, { processed: page.length, ...counts }, cursor);
      const [row] = await db.guardedWrite<object>(trx, guard, [...writes, runFailuresWrite(run.id, failures)]);
      return row && InvoiceRun.fromDatabaseJson(row);
    });
    if (!advanced) throw new LeaseLost('lost');
    lease.renewed(committing); // the guard extended the lease
    run.cursor = cursor;
    return advanced;
  }

  return {
    /** Runs `run` (claimed by `owner`) to its end, or until stopped; returns its final state. */
    async execute(run: InvoiceRun, owner: string, hooks: RunHooks = {}): Promise<RunView> {
      const started = Date.now();
      const lease = keepLease({
        leaseMs: runOptions.leaseMs,
        renew: () => invoiceRuns.renew(null, run, owner),
        onRenewalError: (error) => log.warn({ err: error, runId: run.id }, 'invoice run: lease renewal failed'),
      });
      try {
        if (run.attempts > MAX_ATTEMPTS) throw new Error(`given up after ${MAX_ATTEMPTS} workers stopped without finishing it`);
        for (;;) {
          if (hooks.shouldStop?.()) {
            await invoiceRuns.settle(run, owner, { status: 'queued' });
            break;
          }
          const advanced = await runPage(run, owner, lease, () => hooks.shouldStop?.() ?? false);
          if (!advanced) {
            await invoiceRuns.settle(run, owner, { status: 'succeeded' });
            break;
          }
          hooks.onProgress?.(await invoiceRuns.viewOf(advanced));
        }
      } catch (error) {
        if (error instanceof HandBack) {
          await invoiceRuns.settle(run, owner, { status: 'queued' });
        } else if (error instanceof LeaseLost) {
          const why = error.why === 'lost' ? 'lease lost to another worker' : 'lease not renewed in time';
          log.warn({ runId: run.id }, `invoice run: ${why}; stopping`);
        } else {
          log.error({ err: error, runId: run.id }, 'invoice run failed');
          await invoiceRuns.settle(run, owner, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
        }
      } finally {
        await lease.stop();
      }
      const final = await invoiceRuns.view(run.id);
      log.info({ runId: run.id, ms: Date.now() - started, ...final }, 'invoice run ended');
      return final;
    },
  };
}

export type InvoiceRunner = ReturnType<typeof makeInvoiceRunner>;
