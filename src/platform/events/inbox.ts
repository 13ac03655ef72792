/**
 * The idempotent inbox: a handler's effect and the record "(event, handler)
 * handled" commit in one transaction of the subscribing module, so a
 * redelivered event is skipped and each effect happens once.
 */
import type { Knex } from 'knex';
import type { Clock, EventEnvelope, ModuleDatabase } from '../../kernel/index.ts';

export type EventHandler = (event: EventEnvelope, trx: Knex.Transaction) => Promise<void>;

/** Returns false when the event had already been handled. */
export async function handleOnce(
  db: ModuleDatabase,
  clock: Clock,
  handler: string,
  event: EventEnvelope,
  handle: EventHandler,
): Promise<boolean> {
  return db.knex.transaction(async (trx) => {
    const recorded = await trx('inbox')
      .insert({ event_id: event.id, handler, handled_at: clock.now().toISOString() })
      .onConflict(['event_id', 'handler'])
      .ignore()
      .returning('event_id');
    if (recorded.length === 0) return false;
    await handle(event, trx);
    return true;
  });
}
