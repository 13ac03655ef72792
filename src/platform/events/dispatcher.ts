/**
 * Delivers committed outbox rows to their handlers: at least once, in order per
 * (handler, aggregate), with exponential backoff and jitter, dead-lettering
 * after `maxAttempts` without holding up other aggregates. Claims are atomic
 * (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serialises writers), so
 * several dispatchers may run against one database without double delivery.
 * An outage of the way to the handlers (the broker, a remote process) is not
 * an attempt: the rows wait for it without moving towards the dead letters.
 */
import { makeIdleWait, type Clock, type EventEnvelope, type Logger, type ModuleDatabase } from '../../kernel/index.ts';

export interface DispatcherOptions {
  batchSize: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** An in-flight claim older than this is presumed dead and claimed again. */
  claimTimeoutMs: number;
  /** Poll period while idle; events committed in this process wake it at once. */
  idlePollMs: number;
  /** Delivered rows are pruned after this long. */
  retentionMs: number;
  /** While the way to the handlers is down, the held rows are tried again after this long. */
  unavailableRetryMs: number;
}

/**
 * The handler could not be reached (broker unreachable, remote process down or
 * draining), so it did not run: the row waits without counting an attempt.
 * `module` names the one module out of reach; without it, every handler is.
 */
export class DeliveryUnavailable extends Error {
  constructor(message: string, readonly module?: string) {
    super(message);
    this.name = 'DeliveryUnavailable';
  }
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  batchSize: 100,
  maxAttempts: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 10 * 60_000,
  claimTimeoutMs: 60_000,
  idlePollMs: 1_000,
  retentionMs: 7 * 24 * 60 * 60_000,
  unavailableRetryMs: 2_000,
};

export interface OutboxRow {
  seq: number | string;
  event_id: string;
  subscriber: string;
  name: string;
  version: number;
  aggregate_id: string;
  payload: string;
  occurred_at: string;
  attempts: number;
}

/** Delivers one event to one subscriber; resolves once the effect is committed. */
export type Deliver = (subscriber: string, event: EventEnvelope) => Promise<void>;

export interface DispatcherDeps {
  sources: ModuleDatabase[];
  deliver: Deliver;
  clock: Clock;
  log: Logger;
  options?: Partial<DispatcherOptions>;
  /** Observation points (metrics; tests use them to crash at a precise moment). */
  hooks?: { afterDeliver?: (row: OutboxRow) => void | Promise<void> };
}

export function makeDispatcher({ sources, deliver, clock, log, options: given, hooks }: DispatcherDeps) {
  const options = { ...DEFAULT_DISPATCHER_OPTIONS, ...given };
  let running = false;
  let loop: Promise<void> | null = null;
  // What is out of reach, by module ('*': every handler), as last logged.
  const outages = new Map<string, string>();
  const idle = makeIdleWait();

  const iso = (ms: number) => new Date(ms).toISOString();

  // A row may go when no earlier row of its (subscriber, aggregate) is still undelivered.
  const FIRST_IN_LINE = `NOT EXISTS (
    SELECT 1 FROM outbox p
    WHERE p.subscriber = o.subscriber AND p.aggregate_id = o.aggregate_id AND p.seq < o.seq AND p.status <> 'delivered')`;

  async function claim(db: ModuleDatabase): Promise<OutboxRow[]> {
    const now = clock.now().getTime();
    const lock = db.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    const result = await db.knex.raw(
      `UPDATE outbox SET status = 'in_flight', attempts = attempts + 1, claimed_until = ?
       WHERE seq IN (
         SELECT o.seq FROM outbox o
         WHERE ((o.status = 'pending' AND o.next_attempt_at <= ?) OR (o.status = 'in_flight' AND o.claimed_until < ?))
           AND ${FIRST_IN_LINE}
         ORDER BY o.seq LIMIT ? ${lock})
       RETURNING seq, event_id, subscriber, name, version, aggregate_id, payload, occurred_at, attempts`,
      [iso(now + options.claimTimeoutMs), iso(now), iso(now), options.batchSize],
    );
    const rows: OutboxRow[] = db.dialect === 'postgres' ? result.rows : result;
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq));
  }

  function backoff(attempts: number): number {
    const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempts - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  /** Puts claimed rows back without counting the attempt: their handlers were never reached. */
  async function hold(db: ModuleDatabase, rows: OutboxRow[], down: Map<string, string>): Promise<void> {
    const reason = [...down.values()].join('; ');
    await db.knex('outbox').whereIn('seq', rows.map((row) => row.seq)).where({ status: 'in_flight' }).update({
      status: 'pending',
      attempts: db.knex.raw('attempts - 1'),
      next_attempt_at: iso(clock.now().getTime() + options.unavailableRetryMs),
      claimed_until: null,
      last_error: reason.slice(0, 2000),
    });
    for (const [module, why] of down) {
      if (outages.get(module) !== why) log.warn({ module, held: rows.length, err: why }, 'events held: their handlers cannot be reached');
      outages.set(module, why);
    }
  }

  /** Delivers one row; returns the outage when its handler could not be reached (the row is left to `hold`). */
  async function deliverRow(db: ModuleDatabase, row: OutboxRow): Promise<DeliveryUnavailable | null> {
    const event: EventEnvelope = {
      id: row.event_id,
      name: row.name,
      version: row.version,
      aggregateId: row.aggregate_id,
      occurredAt: row.occurred_at,
      payload: JSON.parse(row.payload),
    };
    try {
      await deliver(row.subscriber, event);
      await hooks?.afterDeliver?.(row);
      await db.knex('outbox').where({ seq: row.seq, status: 'in_flight' })
        .update({ status: 'delivered', delivered_at: clock.now().toISOString(), claimed_until: null, last_error: null });
      for (const module of ['*', row.subscriber.split('.')[0]!]) {
        if (outages.delete(module)) log.info({ module }, 'events flow again');
      }
    } catch (error) {
      if (error instanceof DeliveryUnavailable) return error;
      const dead = row.attempts >= options.maxAttempts;
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ event: row.name, eventId: row.event_id, subscriber: row.subscriber, attempts: row.attempts, dead, err: message }, 'event delivery failed');
      await db.knex('outbox').where({ seq: row.seq, status: 'in_flight' }).update({
        status: dead ? 'dead' : 'pending',
        next_attempt_at: iso(clock.now().getTime() + (dead ? 0 : backoff(row.attempts))),
        claimed_until: null,
        last_error: message.slice(0, 2000),
      });
    }
    return null;
  }

  /** One pass over every outbox; returns how many rows it handled. */
  async function runOnce(): Promise<number> {
    let handled = 0;
    for (const db of sources) {
      const rows = await claim(db);
      // What is out of reach in this pass: '*' (everything, e.g. the broker) or a module; its rows are held untried.
      const down = new Map<string, string>();
      const held: OutboxRow[] = [];
      for (const row of rows) {
        const module = row.subscriber.split('.')[0]!;
        if (down.has('*') || down.has(module)) {
          held.push(row);
          continue;
        }
        const unavailable = await deliverRow(db, row);
        if (unavailable) {
          down.set(unavailable.module ?? '*', unavailable.message);
          held.push(row);
        }
      }
      if (held.length > 0) await hold(db, held, down);
      handled += rows.length;
    }
    return handled;
  }

  /** When the next waiting row falls due (a retry or an abandoned claim), in ms from now. */
  async function nextDueIn(): Promise<number> {
    let earliest = Infinity;
    for (const db of sources) {
      const row = await db.knex('outbox as o')
        .where((q) => q.where('o.status', 'pending').orWhere('o.status', 'in_flight'))
        .whereRaw(FIRST_IN_LINE)
        .min({ due: db.knex.raw(`CASE WHEN o.status = 'pending' THEN o.next_attempt_at ELSE o.claimed_until END`) })
        .first();
      if (row?.due) earliest = Math.min(earliest, Date.parse(row.due));
    }
    return earliest - clock.now().getTime();
  }

  async function prune(): Promise<number> {
    const cutoff = iso(clock.now().getTime() - options.retentionMs);
    let pruned = 0;
    for (const db of sources) {
      pruned += await db.knex('outbox').where({ status: 'delivered' }).andWhere('delivered_at', '<', cutoff).delete();
    }
    return pruned;
  }

  async function run(): Promise<void> {
    let lastPrune = 0;
    while (running) {
      try {
        if (Date.now() - lastPrune > 10 * 60_000) {
          lastPrune = Date.now();
          const pruned = await prune();
          if (pruned > 0) log.info({ pruned }, 'pruned delivered events');
        }
        if ((await runOnce()) > 0) continue;
        // Sleep until the next retry falls due, a commit here wakes us, or the poll period ends
        // (for events committed by other processes). Never less than 10 ms: no busy loop.
        if (running) await idle.wait(Math.max(10, Math.min(options.idlePollMs, await nextDueIn())));
      } catch (error) {
        log.error({ err: error }, 'event dispatcher pass failed');
        if (running) await idle.wait(options.idlePollMs);
      }
    }
  }

  return {
    runOnce,
    prune,
    /** Called after a transaction with new events commits. */
    wake: idle.wake,
    start(): void {
      if (running) return;
      running = true;
      loop = run();
    },
    /** Stops claiming; resolves when the batch in hand is delivered. */
    async stop(): Promise<void> {
      running = false;
      idle.wake();
      await loop;
      loop = null;
    },
  };
}

export type Dispatcher = ReturnType<typeof makeDispatcher>;
