/**
 * What operators see of the broker: how many messages wait in each module's
 * queue and dead-letter queue, what the dead letters are, and moving them back
 * into their module's queue once the cause is fixed (the inbox makes a message
 * that was handled after all harmless). Each look uses its own channel, so a
 * queue that does not exist yet (404) closes nothing but that channel.
 */
import type { ChannelModel, GetMessage } from 'amqplib';
import type { EventEnvelope } from '../../kernel/index.ts';

export interface QueueDepths {
  module: string;
  /** Waiting in `<prefix>.<module>` (not counting the one being handled). */
  queued: number;
  /** In `<prefix>.<module>.dead`. */
  dead: number;
}

export interface BrokerDeadLetter {
  eventId: string;
  name: string;
  subscriber: string;
  aggregateId: string;
  occurredAt: string;
  /** Why and how often RabbitMQ dead-lettered it (from the `x-death` header). */
  reason: string;
  deaths: number;
}

const deadQueue = (prefix: string, module: string) => `${prefix}.${module}.dead`;

/** Messages ready in a queue; 0 when it does not exist (nothing was ever sent to it). */
async function depth(connection: ChannelModel, queue: string): Promise<number> {
  const channel = await connection.createChannel();
  channel.on('error', () => undefined); // a 404 closes this channel only
  try {
    return (await channel.checkQueue(queue)).messageCount;
  } catch {
    return 0;
  } finally {
    await channel.close().catch(() => undefined);
  }
}

export async function queueDepths(connection: ChannelModel, prefix: string, modules: string[]): Promise<QueueDepths[]> {
  return Promise.all(
    modules.map(async (module) => ({
      module,
      queued: await depth(connection, `${prefix}.${module}`),
      dead: await depth(connection, deadQueue(prefix, module)),
    })),
  );
}

function describe(message: GetMessage): BrokerDeadLetter {
  const event = JSON.parse(message.content.toString('utf8')) as EventEnvelope;
  const deaths = (message.properties.headers?.['x-death'] ?? []) as { reason?: string; count?: number }[];
  return {
    eventId: event.id,
    name: event.name,
    subscriber: message.fields.routingKey,
    aggregateId: event.aggregateId,
    occurredAt: event.occurredAt,
    reason: deaths[0]?.reason ?? 'unknown',
    deaths: deaths.reduce((total, death) => total + (death.count ?? 0), 0),
  };
}

/** Up to `limit` dead letters of a module, oldest first; they stay where they are. */
export async function peekDeadLetters(
  connection: ChannelModel,
  prefix: string,
  module: string,
  limit: number,
): Promise<BrokerDeadLetter[]> {
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  const seen: BrokerDeadLetter[] = [];
  try {
    while (seen.length < limit) {
      const message = await channel.get(deadQueue(prefix, module), { noAck: false });
      if (!message) break;
      seen.push(describe(message));
    }
    return seen;
  } catch {
    return seen; // no dead-letter queue yet
  } finally {
    // Closing the channel hands every message it held back to the queue.
    await channel.close().catch(() => undefined);
  }
}

/**
 * Moves a module's dead letters (one event id, or all) back into its queue:
 * each is republished with its handler key, and removed from the dead-letter
 * queue only once the broker confirms the copy. Returns how many moved.
 */
export async function requeueDeadLetters(
  connection: ChannelModel,
  prefix: string,
  module: string,
  eventId: string | 'all',
): Promise<number> {
  const waiting = await depth(connection, deadQueue(prefix, module));
  const channel = await connection.createConfirmChannel();
  channel.on('error', () => undefined);
  let moved = 0;
  try {
    // At most the messages there when we started: the ones kept back are not met twice.
    for (let i = 0; i < waiting; i++) {
      const message = await channel.get(deadQueue(prefix, module), { noAck: false });
      if (!message) break;
      if (eventId !== 'all' && message.properties.messageId !== eventId) continue; // kept: requeued when the channel closes
      channel.publish(`${prefix}.events`, message.fields.routingKey, message.content, {
        persistent: true,
        messageId: message.properties.messageId,
        contentType: message.properties.contentType,
      });
      await channel.waitForConfirms();
      channel.ack(message);
      moved++;
    }
    return moved;
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** A short-lived connection for the CLI. */
export async function withBrokerConnection<T>(url: string, use: (connection: ChannelModel) => Promise<T>): Promise<T> {
  const { connect } = await import('amqplib');
  const connection = await connect(url, { timeout: 5_000 });
  connection.on('error', () => undefined);
  try {
    return await use(connection);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
