/**
 * The consuming side of the broker: a module's quorum queue (with its
 * dead-letter queue) and a consumer that hands each message to the module's
 * inbox, one at a time in delivery order, acking only after the inbox
 * transaction commits and putting failures back after a backoff.
 */
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { EventEnvelope, Logger } from '../../kernel/index.ts';

export type BrokerHandler = (subscriber: string, event: EventEnvelope) => Promise<unknown>;

/**
 * `<prefix>.<module>` bound to `<module>.#`, and `<prefix>.<module>.dead` for what
 * exceeded the delivery limit. Idempotent; publishers declare it too, so an event
 * for a module whose process has not started yet waits in its queue.
 */
export async function declareModuleQueue(channel: Channel, prefix: string, module: string, deliveryLimit: number): Promise<string> {
  const queue = `${prefix}.${module}`;
  await channel.assertExchange(`${prefix}.dead`, 'topic', { durable: true });
  await channel.assertQueue(`${queue}.dead`, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(`${queue}.dead`, `${prefix}.dead`, `${module}.#`);
  await channel.assertQueue(queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      // one consumer at a time across every process: order per queue (the others take over if it goes)
      'x-single-active-consumer': true,
      'x-delivery-limit': deliveryLimit,
      'x-dead-letter-exchange': `${prefix}.dead`,
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    },
  });
  await channel.bindQueue(queue, `${prefix}.events`, `${module}.#`);
  return queue;
}

export function makeConsumer({
  handle,
  log,
  retryDelayMs,
  afterHandle,
  running,
}: {
  handle: BrokerHandler;
  log: Logger;
  retryDelayMs: number;
  afterHandle?: (subscriber: string, event: EventEnvelope) => void | Promise<void>;
  running: () => boolean;
}) {
  const handling = new Set<Promise<void>>();
  const sleepers = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });

  async function receive(channel: Channel, message: ConsumeMessage): Promise<void> {
    const subscriber = message.fields.routingKey;
    const event = JSON.parse(message.content.toString('utf8')) as EventEnvelope;
    try {
      await handle(subscriber, event);
      await afterHandle?.(subscriber, event);
      channel.ack(message);
    } catch (error) {
      const deliveries = Number(message.properties.headers?.['x-delivery-count'] ?? 0);
      log.warn(
        { event: event.name, eventId: event.id, subscriber, deliveries, err: (error as Error).message },
        'event handling failed; requeued',
      );
      // It returns to the head of its queue: without a pause it would burn its attempts at once.
      await pause(Math.min(30_000, retryDelayMs * 2 ** deliveries));
      if (!running()) return; // closing: the broker requeues it when the connection closes
      try {
        channel.reject(message, true); // reject, not nack: counted towards the delivery limit on every RabbitMQ version
      } catch {
        // the channel is gone: the broker requeues it by itself
      }
    }
  }

  return {
    async consume(connection: ChannelModel, prefix: string, module: string, deliveryLimit: number): Promise<void> {
      const channel = await connection.createChannel();
      // A channel that fails or closes takes its connection along: the broker reconnects and redeclares everything.
      channel.on('error', (error: Error) => log.warn({ module, err: error.message }, 'broker consumer channel error'));
      channel.on('close', () => void connection.close().catch(() => undefined));
      const queue = await declareModuleQueue(channel, prefix, module, deliveryLimit);
      await channel.prefetch(1);
      // One message at a time, in delivery order, even if the broker sends more than the prefetch
      // (RabbitMQ 3.10 does right after dead-lettering a message at its delivery limit).
      let previous = Promise.resolve();
      await channel.consume(queue, (message) => {
        if (!message) return void channel.close().catch(() => undefined); // cancelled by the broker (queue deleted): start over
        const done = previous.then(() => (running() ? receive(channel, message) : undefined)).finally(() => handling.delete(done));
        previous = done;
        handling.add(done);
      });
    },
    /** Cuts retry pauses short and resolves when the messages in hand are done. */
    async drain(): Promise<void> {
      for (const wake of sleepers) wake();
      await Promise.all(handling);
    },
  };
}
