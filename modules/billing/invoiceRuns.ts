/**
 * Invoice runs as job records. A run is queued, then claimed by one worker at
 * a time under a short lease that the worker's heartbeat renews while it works
 * (and every page's transaction checks); a run whose lease lapsed (its process
 * died or stalled) is claimed again and resumes after the last committed page.
 * One queued or running run per month, enforced by a partial unique index.
 */
import type { Knex } from 'knex';
import { raw } from 'objection';
import { isUniqueViolation, monthHasEnded, newId, type Clock, type ModuleDatabase } from '../../src/kernel/index.ts';
import { returnedRows } from './data/database.ts';
import type { BillingModels, InvoiceRun } from './data/models.ts';
import type { RunFailure } from './draftPlan.ts';
import { periodNotEnded, runInProgress, runNotFound } from './errors.ts';

export interface InvoiceRunOptions {
  /** Billing accounts per page: one earnings call and one transaction each. */
  pageSize: number;
  /**
   * How long a claim lasts unless renewed. The worker renews it every third of this while it
   * runs the run, so only a dead or stalled worker's run waits this long to be taken over.
   */
  leaseMs: number;
  /** How often an idle worker looks for queued runs (a run queued in this process wakes it at once). */
  pollMs: number;
  /** Waits between retries of a failed earnings call before the run is marked failed. */
  retryDelaysMs: number[];
}

export const DEFAULT_RUN_OPTIONS: InvoiceRunOptions = { pageSize: 500, leaseMs: 10_000, pollMs: 1_000, retryDelaysMs: [1_000, 5_000] };

export interface InvoiceRunsDeps {
  models: BillingModels;
  db: ModuleDatabase;
  clock: Clock;
  runOptions: InvoiceRunOptions;
}

/** At most this many failures are listed on a run; `failed` counts them all. */
export const LISTED_FAILURES = 100;

export function runView(run: InvoiceRun, failures: RunFailure[] = []) {
  return {
    id: run.id,
    period: run.period,
    status: run.status,
    total: Math.max(run.total, run.processed),
    processed: run.processed,
    created: run.created,
    updated: run.updated,
    skipped: run.skipped,
    failed: run.failed,
    failures,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

export type RunView = ReturnType<typeof runView>;

export function makeInvoiceRuns({ models, db, clock, runOptions }: InvoiceRunsDeps) {
  const { InvoiceRun, BillingAccount } = models;
  const iso = (ms: number) => new Date(ms).toISOString();
  const leaseFrom = (now: number) => iso(now + runOptions.leaseMs);
  const claimable = `(status = 'queued' OR (status = 'running' AND lease_until < ?))`;

  async function claimWhere(owner: string, pick: string, bindings: string[]): Promise<InvoiceRun | null> {
    const now = clock.now().getTime();
    const skipLocked = db.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    const result = await db.knex.raw(
      `UPDATE invoice_runs
       SET status = 'running', owner = ?, lease_until = ?, attempts = attempts + 1,
           started_at = COALESCE(started_at, ?), updated_at = ?
       WHERE id = (SELECT id FROM invoice_runs WHERE ${pick} AND ${claimable} ORDER BY created_at, id LIMIT 1 ${skipLocked})
         AND ${claimable}
       RETURNING *`,
      [owner, leaseFrom(now), iso(now), iso(now), ...bindings, iso(now), iso(now)],
    );
    const [row] = returnedRows<object>(db.dialect, result);
    return row ? InvoiceRun.fromDatabaseJson(row) : null;
  }

  /** Puts a run whose worker died back in the queue, keeping its progress. */
  async function requeue(run: InvoiceRun): Promise<InvoiceRun | null> {
    const updated = await InvoiceRun.query()
      .findById(run.id)
      .where({ status: 'running', lease_until: run.leaseUntil })
      .patch({ status: 'queued', owner: null, leaseUntil: null, updatedAt: clock.now().toISOString() });
    return updated === 1 ? ((await InvoiceRun.query().findById(run.id)) ?? null) : null;
  }

  /**
   * Queues a run for `period` (or, with `owner`, starts it already claimed: the CLI runs it
   * in-process). A run of the month left by a dead worker is picked up rather than duplicated.
   */
  async function request(period: string, options: { requestedBy: string | null; owner?: string }): Promise<InvoiceRun> {
    const now = clock.now();
    if (!monthHasEnded(period, now)) throw periodNotEnded(period);
    const total = await BillingAccount.query().resultSize();
    const stamp = now.toISOString();
    const claimed = options.owner !== undefined;
    try {
      // The inserted values, not a read-back: a worker may claim the run the moment it is committed.
      return await InvoiceRun.query().insert({
        id: newId('run', now.getTime()),
        period,
        status: claimed ? 'running' : 'queued',
        total, processed: 0, created: 0, updated: 0, skipped: 0, failed: 0,
        cursor: null,
        owner: options.owner ?? null,
        leaseUntil: claimed ? leaseFrom(now.getTime()) : null,
        attempts: claimed ? 1 : 0,
        error: null,
        requestedBy: options.requestedBy,
        createdAt: stamp,
        startedAt: claimed ? stamp : null,
        finishedAt: null,
        updatedAt: stamp,
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const live = await InvoiceRun.query().where('period', period).whereIn('status', ['queued', 'running']).first();
    if (!live) return request(period, options); // it finished in between
    // The CLI takes over a queued or abandoned run; an API request only revives an abandoned one.
    const abandoned = live.status === 'running' && live.leaseUntil! < stamp;
    const taken = options.owner !== undefined ? await claimWhere(options.owner, 'id = ?', [live.id]) : abandoned ? await requeue(live) : null;
    if (!taken) throw runInProgress(period, live.id);
    return taken;
  }

  async function get(id: string): Promise<InvoiceRun> {
    const run = await InvoiceRun.query().findById(id);
    if (!run) throw runNotFound(id);
    return run;
  }

  return {
    request,
    get,

    /** The run as the API shows it, with the first failures listed. */
    async view(id: string): Promise<RunView> {
      const run = await get(id);
      const failures = await db.knex('invoice_run_failures').where({ run_id: id }).orderBy('publisher_id').limit(LISTED_FAILURES);
      return runView(run, failures.map((f) => ({ publisherId: f.publisher_id, code: f.code, message: f.message })));
    },

    /** Why a page's publishers could not be invoiced (same transaction as the page). */
    async recordFailures(trx: Knex.Transaction, run: InvoiceRun, failures: RunFailure[]): Promise<void> {
      if (failures.length === 0) return;
      await trx('invoice_run_failures')
        .insert(failures.map((f) => ({ run_id: run.id, publisher_id: f.publisherId, code: f.code.slice(0, 80), message: f.message.slice(0, 2000) })))
        .onConflict(['run_id', 'publisher_id'])
        .merge();
    },

    /** The oldest queued or abandoned run, now held by `owner`; null when there is none. */
    claimNext: (owner: string) => claimWhere(owner, '1 = 1', []),

    /** Extends the lease (the heartbeat, or inside a page's transaction); false when the run is no longer ours. */
    async renew(trx: Knex.Transaction | null, run: InvoiceRun, owner: string): Promise<boolean> {
      const now = clock.now().getTime();
      const updated = await InvoiceRun.query(trx ?? undefined)
        .findById(run.id)
        .where({ owner, status: 'running' })
        .patch({ leaseUntil: leaseFrom(now), updatedAt: iso(now) });
      return updated === 1;
    },

    /** Adds a committed page's counts and moves the cursor past it (same transaction as the page). */
    async advance(trx: Knex.Transaction, run: InvoiceRun, counts: { processed: number; created: number; updated: number; skipped: number; failed: number }, cursor: string) {
      const add = (column: string, n: number) => trx.raw('?? + ?', [column, n]);
      await trx('invoice_runs').where({ id: run.id }).update({
        processed: add('processed', counts.processed),
        created: add('created', counts.created),
        updated: add('updated', counts.updated),
        skipped: add('skipped', counts.skipped),
        failed: add('failed', counts.failed),
        cursor,
      });
    },

    /** Ends a run we own: succeeded, failed (with why), or released back to the queue on shutdown. */
    async settle(run: InvoiceRun, owner: string, outcome: { status: 'succeeded' | 'failed' | 'queued'; error?: string }) {
      const now = clock.now().toISOString();
      await InvoiceRun.query()
        .findById(run.id)
        .where({ owner, status: 'running' })
        .patch({
          status: outcome.status,
          owner: null,
          leaseUntil: null,
          updatedAt: now,
          ...(outcome.status !== 'queued' && { finishedAt: now }),
          // A graceful hand-back is not a failed attempt (see MAX_ATTEMPTS in invoiceRunner.ts).
          ...(outcome.status === 'queued' && { attempts: raw('attempts - 1') }),
          ...(outcome.error !== undefined && { error: outcome.error.slice(0, 2000) }),
        });
    },
  };
}

export type InvoiceRuns = ReturnType<typeof makeInvoiceRuns>;
