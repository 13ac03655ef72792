/**
 * Invoice runs as job records. A run is queued, then claimed by one worker at
 * a time under a short lease that the worker's heartbeat renews while it works
 * (and every page's transaction checks); a run whose lease lapsed (its process
 * died or stalled) is claimed again and resumes after the last committed page.
 * One queued or running run per month, enforced by a partial unique index.
 */
import type { Knex } from 'knex';
import { raw } from 'objection';
import { isUniqueViolation, monthHasEnded, newId, type Clock, type ModuleDatabase, type SqlPart } from '../../src/kernel/index.ts';
import type { BillingModels, InvoiceRun } from './data/models.ts';
import { listRunFailures } from './data/runFailures.ts';
import type { RunFailure } from './draftPlan.ts';
import { periodNotEnded, runInProgress, runNotFound } from './errors.ts';
import type { InvoiceRunOptions } from './runOptions.ts';

export interface InvoiceRunsDeps {
  models: BillingModels;
  db: ModuleDatabase;
  clock: Clock;
  runOptions: InvoiceRunOptions;
}

const COUNTERS = ['processed', 'created', 'updated', 'skipped', 'failed'] as const;

/** What a committed page adds to its run's counters. */
type PageCounts = Record<(typeof COUNTERS)[number], number>;

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

  /** The oldest queued or abandoned run (or the one `id` names), now held by `owner`; null when there is none. */
  async function claim(owner: string, id?: string): Promise<InvoiceRun | null> {
    const now = clock.now().getTime();
    const [row] = await db.claimWithLease<object>({
      table: 'invoice_runs',
      key: 'id',
      claimable: { sql: "status = 'queued' OR (status = 'running' AND lease_until < ?)", bindings: [iso(now)] },
      ...(id !== undefined && { pick: { sql: 'id = ?', bindings: [id] } }),
      order: 'created_at, id',
      limit: 1,
      set: {
        status: 'running',
        owner,
        lease_until: leaseFrom(now),
        attempts: db.knex.raw('attempts + 1'),
        started_at: db.knex.raw('COALESCE(started_at, ?)', [iso(now)]),
        updated_at: iso(now),
      },
      returning: '*',
    });
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
        total,
        processed: 0,
        created: 0,
        updated: 0,
        skipped: 0,
        failed: 0,
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
    const taken = options.owner !== undefined ? await claim(options.owner, live.id) : abandoned ? await requeue(live) : null;
    if (!taken) throw runInProgress(period, live.id);
    return taken;
  }

  /** A run read already, with its first failures (a read only when it has any). */
  async function viewOf(run: InvoiceRun): Promise<RunView> {
    return runView(run, run.failed > 0 ? await listRunFailures(db, run.id) : []);
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
    view: async (id: string): Promise<RunView> => viewOf(await get(id)),

    viewOf,

    /** The oldest queued or abandoned run, now held by `owner`; null when there is none. */
    claimNext: (owner: string) => claim(owner),

    /** Extends the lease (the heartbeat, or inside a page's transaction); false when the run is no longer ours. */
    async renew(trx: Knex.Transaction | null, run: InvoiceRun, owner: string): Promise<boolean> {
      const now = clock.now().getTime();
      const updated = await InvoiceRun.query(trx ?? undefined)
        .findById(run.id)
        .where({ owner, status: 'running' })
        .patch({ leaseUntil: leaseFrom(now), updatedAt: iso(now) });
      return updated === 1;
    },

    /**
     * A committed page's guard (see `guardedWrite`): adds its counts, moves the cursor past it and renews the lease,
     * only while the run is still `owner`'s; returns the run's row.
     */
    advance(run: InvoiceRun, owner: string, counts: PageCounts, cursor: string): SqlPart {
      const now = clock.now().getTime();
      return {
        sql:
          `UPDATE invoice_runs SET ${COUNTERS.map((c) => `${c} = ${c} + ?`).join(', ')}, "cursor" = ?, lease_until = ?, updated_at = ? ` +
          "WHERE id = ? AND owner = ? AND status = 'running' RETURNING *",
        bindings: [...COUNTERS.map((c) => counts[c]), cursor, leaseFrom(now), iso(now), run.id, owner],
      };
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
