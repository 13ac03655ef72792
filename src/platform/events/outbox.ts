/**
 * The transactional outbox: an event is a row written in the same transaction
 * as the change that caused it, one row per subscribing handler, so it exists
 * exactly when the change does and each handler's delivery is tracked alone.
 */
import type { Knex } from 'knex';
import { newId, validator, type Clock, type EventEnvelope, type EventSpec, type Outbox } from '../../kernel/index.ts';

/** Which handlers (`<module>.<handler>`) subscribe to each event name. */
export type SubscriberIndex = Map<string, string[]>;

export function makeOutbox({
  module,
  subscribers,
  clock,
  onCommit,
}: {
  module: string;
  subscribers: SubscriberIndex;
  clock: Clock;
  /** Called after the appending transaction commits (wakes the dispatcher). */
  onCommit: () => void;
}): Outbox {
  return {
    async append(trx: Knex.Transaction, event: EventSpec, payload: unknown): Promise<void> {
      if (!event.name.startsWith(`${module}.`)) throw new Error(`module ${module} cannot publish ${event.name}`);
      validator(event.payload)(payload, `/${event.name}`);
      const now = clock.now().toISOString();
      const envelope: EventEnvelope = {
        id: newId('evt'),
        name: event.name,
        version: event.version,
        aggregateId: event.aggregateId(payload as never),
        occurredAt: now,
        payload,
      };
      const handlers = subscribers.get(event.name) ?? [];
      if (handlers.length === 0) return;
      await trx('outbox').insert(
        handlers.map((subscriber) => ({
          event_id: envelope.id,
          subscriber,
          name: envelope.name,
          version: envelope.version,
          aggregate_id: envelope.aggregateId,
          payload: JSON.stringify(envelope.payload),
          occurred_at: envelope.occurredAt,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
        })),
      );
      trx.executionPromise.then(onCommit, () => undefined);
    },
  };
}
