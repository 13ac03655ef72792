/** What an operator sees and does: counts, pending and dead-lettered events, retrying a dead letter. */
import type { ModuleDatabase } from '../../kernel/index.ts';

export interface EventCounts {
  pending: number;
  inFlight: number;
  dead: number;
}

export interface OutboxEntry {
  seq: number;
  eventId: string;
  name: string;
  subscriber: string;
  aggregateId: string;
  status: string;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  occurredAt: string;
}

export async function eventCounts(db: ModuleDatabase): Promise<EventCounts> {
  const rows: { status: string; count: number | string }[] = await db
    .knex('outbox')
    .whereNot({ status: 'delivered' })
    .select('status')
    .count({ count: '*' })
    .groupBy('status');
  const count = (status: string) => Number(rows.find((r) => r.status === status)?.count ?? 0);
  return { pending: count('pending'), inFlight: count('in_flight'), dead: count('dead') };
}

export async function listEvents(db: ModuleDatabase, status: 'pending' | 'dead' | 'in_flight', limit = 100): Promise<OutboxEntry[]> {
  const rows = await db.knex('outbox').where({ status }).orderBy('seq').limit(limit);
  return rows.map((r) => ({
    seq: Number(r.seq),
    eventId: r.event_id,
    name: r.name,
    subscriber: r.subscriber,
    aggregateId: r.aggregate_id,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    occurredAt: r.occurred_at,
  }));
}

/** Puts a dead letter (by event id, or all of them with `all`) back in line; returns how many. */
export async function retryDead(db: ModuleDatabase, eventId: string | 'all', now: Date): Promise<number> {
  return db
    .knex('outbox')
    .where({ status: 'dead' })
    .modify((q) => eventId !== 'all' && q.where({ event_id: eventId }))
    .update({ status: 'pending', attempts: 0, next_attempt_at: now.toISOString(), last_error: null });
}

/** The status of each of an event's deliveries (one per subscribing handler); none when the outbox has no such event. */
export async function deliveryStatuses(db: ModuleDatabase, eventId: string): Promise<string[]> {
  const rows: { status: string }[] = await db.knex('outbox').where({ event_id: eventId }).select('status');
  return rows.map((r) => r.status);
}
