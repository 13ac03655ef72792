/**
 * A dispatcher's claim on a batch of outbox rows. Each batch is claimed under
 * an id of its own (`claimed_by`) until `claimed_until`, which the dispatcher's
 * heartbeat pushes forward while the batch is in hand; a claim that lapses (its
 * process died or stalled) may be taken by any dispatcher. Every write that
 * settles a row names the claim, so a dispatcher that lost a row changes
 * nothing, and a renewal that misses a row still in hand reports the claim lost.
 */
import { newId, type Clock, type ModuleDatabase } from '../../kernel/index.ts';

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

// A row may go when no earlier row of its (subscriber, aggregate) is still undelivered.
export const FIRST_IN_LINE = `NOT EXISTS (
  SELECT 1 FROM outbox p
  WHERE p.subscriber = o.subscriber AND p.aggregate_id = o.aggregate_id AND p.seq < o.seq AND p.status <> 'delivered')`;

const iso = (ms: number) => new Date(ms).toISOString();

export interface ClaimSettings {
  clock: Clock;
  leaseMs: number;
  batchSize: number;
}

export type OutboxClaim = Awaited<ReturnType<typeof claimBatch>>;

/** Claims the rows that may go now (due, or abandoned by a lapsed claim), oldest first. */
export async function claimBatch(db: ModuleDatabase, { clock, leaseMs, batchSize }: ClaimSettings) {
  const claim = newId('clm');
  const at = clock.now().getTime();
  const now = iso(at);
  const claimed = await db.claimWithLease<OutboxRow>({
    table: 'outbox',
    as: 'o',
    key: 'seq',
    claimable: {
      sql: `(o.status = 'pending' AND o.next_attempt_at <= ?) OR (o.status = 'in_flight' AND o.claimed_until < ?)`,
      bindings: [now, now],
    },
    pick: { sql: FIRST_IN_LINE },
    order: 'o.seq',
    limit: batchSize,
    set: { status: 'in_flight', attempts: db.knex.raw('attempts + 1'), claimed_until: iso(at + leaseMs), claimed_by: claim },
    returning: 'seq, event_id, subscriber, name, version, aggregate_id, payload, occurred_at, attempts',
  });
  const rows = claimed.sort((a, b) => Number(a.seq) - Number(b.seq));
  // Rows not yet settled. A row leaves before its settling write is sent, so a renewal that comes
  // back without a row still here can only mean another dispatcher took it.
  const inHand = new Set(rows.map((row) => String(row.seq)));
  const ours = () => db.knex('outbox').where({ claimed_by: claim, status: 'in_flight' });

  /** Settles rows still ours; how many were. */
  function settle(settled: OutboxRow[], changes: Record<string, unknown>): Promise<number> {
    for (const row of settled) inHand.delete(String(row.seq));
    // claimed_by stays: which claim last held the row (a new claim overwrites it).
    return ours()
      .whereIn(
        'seq',
        settled.map((row) => row.seq),
      )
      .update({ ...changes, claimed_until: null });
  }

  /** Puts rows back in line untried: the attempt their claim counted is given back. */
  function putBack(untried: OutboxRow[], { retryInMs, error }: { retryInMs: number; error?: string }): Promise<number> {
    return settle(untried, {
      status: 'pending',
      attempts: db.knex.raw('attempts - 1'),
      next_attempt_at: iso(clock.now().getTime() + retryInMs),
      ...(error !== undefined && { last_error: error.slice(0, 2000) }),
    });
  }

  return {
    rows,

    /** Extends the claim on the rows in hand; false when another dispatcher took any of them. */
    async renew(): Promise<boolean> {
      if (inHand.size === 0) return true;
      const until = iso(clock.now().getTime() + leaseMs);
      const renewed: { seq: number | string }[] = await ours().update({ claimed_until: until }).returning('seq');
      const still = new Set(renewed.map((row) => String(row.seq)));
      return [...inHand].every((seq) => still.has(seq));
    },

    /** Marks a row delivered; false when it was no longer ours. */
    async delivered(row: OutboxRow): Promise<boolean> {
      return (await settle([row], { status: 'delivered', delivered_at: clock.now().toISOString(), last_error: null })) === 1;
    },

    /** Records a failed delivery: retried after `retryInMs`, or dead; false when the row was no longer ours. */
    async failed(row: OutboxRow, { dead, retryInMs, error }: { dead: boolean; retryInMs: number; error: string }): Promise<boolean> {
      const retryAt = iso(clock.now().getTime() + retryInMs);
      const changes = { status: dead ? 'dead' : 'pending', next_attempt_at: retryAt, last_error: error.slice(0, 2000) };
      return (await settle([row], changes)) === 1;
    },

    putBack,

    /** Puts back every row still in hand (the claim lapsed, or the dispatcher stopped mid-batch); how many were ours. */
    release: () =>
      putBack(
        rows.filter((row) => inHand.has(String(row.seq))),
        { retryInMs: 0 },
      ),
  };
}

/** When the next waiting row falls due (a retry, or a claim that lapses), in epoch ms; Infinity when none waits. */
export async function nextDue(db: ModuleDatabase): Promise<number> {
  const row = await db
    .knex('outbox as o')
    .where((q) => q.where('o.status', 'pending').orWhere('o.status', 'in_flight'))
    .whereRaw(FIRST_IN_LINE)
    .min({ due: db.knex.raw(`CASE WHEN o.status = 'pending' THEN o.next_attempt_at ELSE o.claimed_until END`) })
    .first();
  return row?.due ? Date.parse(row.due) : Infinity;
}
