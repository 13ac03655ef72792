/**
 * Delivers committed outbox rows to their handlers: at least once, in order per
 * (handler, aggregate), with exponential backoff and jitter, dead-lettering
 * after `maxAttempts` without holding up other aggregates. Claims are atomic
 * (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serialises writers), so
 * several dispatchers may run against one database without double delivery;
 * a batch's claim is a short lease renewed by a heartbeat while it is in hand
 * (outboxClaims.ts), so a dead dispatcher's rows are taken over within seconds.
 * An outage of the way to the handlers (the broker, a remote process) is not
 * an attempt: the rows wait for it without moving towards the dead letters.
 */
import { keepLease, makeLoopWorker, type Clock, type Logger, type ModuleDatabase } from '../../kernel/index.ts';
import { makeBatchDelivery, type BatchDeliveryDeps, type Deliver, type DeliveryOptions } from './batchDelivery.ts';
import { claimBatch, nextDue } from './outboxClaims.ts';

export { DeliveryUnavailable, type Deliver } from './batchDelivery.ts';

export interface DispatcherOptions extends DeliveryOptions {
  batchSize: number;
  /**
   * How long a claim on a batch lasts unless renewed. A heartbeat renews it every third of
   * this while the batch is in hand, so only a dead or stalled dispatcher's claim lapses and is
   * claimed again: the longest a crash holds events back.
   */
  leaseMs: number;
  /** Poll period while idle; events committed in this process wake it at once. */
  idlePollMs: number;
  /** Delivered rows are pruned after this long. */
  retentionMs: number;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  batchSize: 100,
  maxAttempts: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 10 * 60_000,
  leaseMs: 10_000,
  idlePollMs: 1_000,
  retentionMs: 7 * 24 * 60 * 60_000,
  unavailableRetryMs: 2_000,
};

export interface DispatcherDeps {
  sources: ModuleDatabase[];
  deliver: Deliver;
  clock: Clock;
  log: Logger;
  options?: Partial<DispatcherOptions>;
  hooks?: BatchDeliveryDeps['hooks'];
}

export function makeDispatcher({ sources, deliver, clock, log, options: given, hooks }: DispatcherDeps) {
  const options = { ...DEFAULT_DISPATCHER_OPTIONS, ...given };
  const deliverBatch = makeBatchDelivery({ deliver, log, options, hooks });

  const iso = (ms: number) => new Date(ms).toISOString();

  /** One pass over every outbox; returns how many rows it handled. */
  async function runOnce(): Promise<number> {
    let handled = 0;
    for (const db of sources) {
      const claim = await claimBatch(db, { clock, leaseMs: options.leaseMs, batchSize: options.batchSize });
      if (claim.rows.length === 0) continue;
      const lease = keepLease({
        leaseMs: options.leaseMs,
        renew: claim.renew,
        onRenewalError: (error) => log.warn({ module: db.module, err: error }, 'event claim renewal failed'),
      });
      try {
        await deliverBatch(db, claim, lease);
      } finally {
        await lease.stop();
      }
      handled += claim.rows.length;
    }
    return handled;
  }

  /** When the next waiting row falls due (a retry or a lapsed claim), in ms from now. */
  async function nextDueIn(): Promise<number> {
    const due = await Promise.all(sources.map(nextDue));
    return Math.min(...due) - clock.now().getTime();
  }

  async function prune(): Promise<number> {
    const cutoff = iso(clock.now().getTime() - options.retentionMs);
    let pruned = 0;
    for (const db of sources) {
      pruned += await db.knex('outbox').where({ status: 'delivered' }).andWhere('delivered_at', '<', cutoff).delete();
    }
    return pruned;
  }

  let lastPrune = 0;
  const worker = makeLoopWorker({
    name: 'event dispatcher',
    idleMs: options.idlePollMs,
    log,
    async pass(running) {
      if (Date.now() - lastPrune > 10 * 60_000) {
        lastPrune = Date.now();
        const pruned = await prune();
        if (pruned > 0) log.info({ pruned }, 'pruned delivered events');
      }
      if ((await runOnce()) > 0 || !running()) return 'busy';
      // Sleep until the next retry falls due, a commit here wakes us, or the poll period ends
      // (for events committed by other processes). Never less than 10 ms: no busy loop.
      return { idleMs: Math.max(10, Math.min(options.idlePollMs, await nextDueIn())) };
    },
  });

  return {
    runOnce,
    prune,
    /** Called after a transaction with new events commits. */
    wake: worker.wake,
    start: worker.start,
    /** Stops claiming; resolves when the batch in hand is delivered. */
    stop: worker.stop,
  };
}
