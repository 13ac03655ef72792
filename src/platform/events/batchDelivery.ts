/**
 * Delivers one claimed batch of outbox rows, in order, while its lease holds:
 * each row is marked delivered, retried later with backoff, or dead-lettered;
 * rows whose handlers cannot be reached are held without counting an attempt;
 * when the lease lapses the rest of the batch goes back in line.
 */
import type { EventEnvelope, LeaseHeartbeat, Logger, ModuleDatabase } from '../../kernel/index.ts';
import type { OutboxClaim, OutboxRow } from './outboxClaims.ts';

/**
 * The handler could not be reached (broker unreachable, remote process down or
 * draining), so it did not run: the row waits without counting an attempt.
 * `module` names the one module out of reach; without it, every handler is.
 */
export class DeliveryUnavailable extends Error {
  readonly module?: string;

  constructor(message: string, module?: string) {
    super(message);
    this.name = 'DeliveryUnavailable';
    this.module = module;
  }
}

/** Delivers one event to one subscriber; resolves once the effect is committed. */
export type Deliver = (subscriber: string, event: EventEnvelope) => Promise<void>;

export interface DeliveryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** While the way to the handlers is down, the held rows are tried again after this long. */
  unavailableRetryMs: number;
}

export interface BatchDeliveryDeps {
  deliver: Deliver;
  log: Logger;
  options: DeliveryOptions;
  /** Observation points (metrics; tests use them to crash at a precise moment). */
  hooks?: { afterDeliver?: (row: OutboxRow) => void | Promise<void> } | undefined;
}

export function makeBatchDelivery({ deliver, log, options, hooks }: BatchDeliveryDeps) {
  // What is out of reach, by module ('*': every handler), as last logged.
  const outages = new Map<string, string>();

  function backoff(attempts: number): number {
    const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempts - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  /** Puts claimed rows back without counting the attempt: their handlers were never reached. */
  async function hold(claim: OutboxClaim, rows: OutboxRow[], down: Map<string, string>): Promise<void> {
    await claim.putBack(rows, { retryInMs: options.unavailableRetryMs, error: [...down.values()].join('; ') });
    for (const [module, why] of down) {
      if (outages.get(module) !== why) log.warn({ module, held: rows.length, err: why }, 'events held: their handlers cannot be reached');
      outages.set(module, why);
    }
  }

  /**
   * Delivers one row and settles it. Returns the outage when its handler could not be reached
   * (the row is left to `hold`), and 'lost' when another dispatcher took the row meanwhile: the
   * effect is recorded in the subscriber's inbox, so the new holder's delivery changes nothing.
   */
  async function deliverRow(claim: OutboxClaim, row: OutboxRow): Promise<DeliveryUnavailable | 'settled' | 'lost'> {
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
    } catch (error) {
      if (error instanceof DeliveryUnavailable) return error;
      const dead = row.attempts >= options.maxAttempts;
      const message = error instanceof Error ? error.message : String(error);
      log.warn(
        { event: row.name, eventId: row.event_id, subscriber: row.subscriber, attempts: row.attempts, dead, err: message },
        'event delivery failed',
      );
      const ours = await claim.failed(row, { dead, retryInMs: dead ? 0 : backoff(row.attempts), error: message });
      return ours ? 'settled' : 'lost';
    }
    if (!(await claim.delivered(row))) return 'lost';
    for (const module of ['*', row.subscriber.split('.')[0]!]) {
      if (outages.delete(module)) log.info({ module }, 'events flow again');
    }
    return 'settled';
  }

  /** Delivers a claimed batch in order while its lease holds; what is left when it lapses goes back in line. */
  return async function deliverBatch(db: ModuleDatabase, claim: OutboxClaim, lease: LeaseHeartbeat): Promise<void> {
    // What is out of reach in this batch: '*' (everything, e.g. the broker) or a module; its rows are held untried.
    const down = new Map<string, string>();
    const held: OutboxRow[] = [];
    for (const row of claim.rows) {
      const module = row.subscriber.split('.')[0]!;
      if (down.has('*') || down.has(module)) {
        held.push(row);
        continue;
      }
      // Past a lease the heartbeat could not renew, another dispatcher may be delivering these rows.
      const outcome = lease.held() ? await deliverRow(claim, row) : 'lost';
      if (outcome === 'lost') {
        const released = await claim.release();
        const why = lease.lapse() === 'expired' ? 'event claim not renewed in time' : 'event claim taken over by another dispatcher';
        log.warn({ module: db.module, eventId: row.event_id, released }, `${why}; batch stopped`);
        return;
      }
      if (outcome instanceof DeliveryUnavailable) {
        down.set(outcome.module ?? '*', outcome.message);
        held.push(row);
      }
    }
    if (held.length > 0) await hold(claim, held, down);
  };
}
