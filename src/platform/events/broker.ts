/**
 * Events through RabbitMQ (SEAMS_BROKER_URL). The dispatcher publishes each
 * outbox row to the durable topic exchange `<prefix>.events` with the handler
 * key (`<module>.<handler>`) as routing key, and the row counts as delivered
 * only once the broker confirms it. Each local module with subscriptions
 * consumes its own quorum queue `<prefix>.<module>` into its inbox, acking only
 * after the inbox transaction commits. One active consumer per queue handling
 * one message at a time keeps every aggregate's order (a requeued message
 * comes back first); after `deliveryLimit` redeliveries a message goes to
 * `<prefix>.<module>.dead`. A lost connection is reopened every `reconnectMs`
 * (publishing, consuming and declarations all live on one connection).
 */
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { EventEnvelope, Logger } from '../../kernel/index.ts';
import { declareModuleQueue, makeConsumer, type BrokerHandler } from './brokerConsumer.ts';
import { queueDepths, type QueueDepths } from './brokerQueues.ts';
import { DeliveryUnavailable } from './dispatcher.ts';

export interface BrokerOptions {
  /** Redeliveries of one message before it is dead-lettered. */
  deliveryLimit: number;
  reconnectMs: number;
  /** A failed message is put back after this long, doubling per delivery up to 30 s (it holds its queue meanwhile). */
  retryDelayMs: number;
  /** A publish not confirmed within this long fails (the outbox retries it). */
  confirmTimeoutMs: number;
  /** Tests: called after a handler's inbox transaction commits, before the ack. */
  afterHandle?: (subscriber: string, event: EventEnvelope) => void | Promise<void>;
}

export const DEFAULT_BROKER_OPTIONS: BrokerOptions = { deliveryLimit: 10, reconnectMs: 1_000, retryDelayMs: 500, confirmTimeoutMs: 10_000 };

export function makeBroker({
  url,
  prefix,
  consumers,
  handle,
  log,
  options: given,
}: {
  url: string;
  prefix: string;
  /** Local modules whose queues this process consumes. */
  consumers: string[];
  handle: BrokerHandler;
  log: Logger;
  options?: Partial<BrokerOptions>;
}) {
  const options = { ...DEFAULT_BROKER_OPTIONS, ...given };
  const exchange = `${prefix}.events`;
  let model: ChannelModel | null = null;
  let publisher: ConfirmChannel | null = null;
  let opening: Promise<ConfirmChannel> | null = null;
  let retry: NodeJS.Timeout | null = null;
  let running = false;
  const declared = new Set<string>();
  const consumer = makeConsumer({
    handle,
    log,
    retryDelayMs: options.retryDelayMs,
    afterHandle: options.afterHandle,
    running: () => running,
  });
  const consume = (connection: ChannelModel, module: string) => consumer.consume(connection, prefix, module, options.deliveryLimit);

  async function open(): Promise<ConfirmChannel> {
    const { connect } = await import('amqplib'); // loaded only in a process with a broker
    const connection = await connect(url, { timeout: 5_000 });
    connection.on('error', (error: Error) => log.warn({ err: error.message }, 'broker connection error'));
    connection.on('close', () => {
      if (model !== connection) return;
      model = null;
      publisher = null;
      declared.clear();
      if (running) log.warn({}, 'broker connection lost; reconnecting');
      schedule();
    });
    try {
      const channel = await connection.createConfirmChannel();
      // A channel error (e.g. a refused declaration) closes the connection: everything reopens together.
      channel.on('error', (error: Error) => log.warn({ err: error.message }, 'broker channel error'));
      channel.on('close', () => void connection.close().catch(() => undefined));
      await channel.assertExchange(exchange, 'topic', { durable: true });
      if (running) for (const module of consumers) await consume(connection, module);
      model = connection;
      publisher = channel;
      log.info({ consumers }, 'broker connected');
      return channel;
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  function connected(): Promise<ConfirmChannel> {
    if (publisher) return Promise.resolve(publisher);
    opening ??= open().finally(() => (opening = null));
    return opening;
  }

  function schedule(): void {
    if (!running || retry) return;
    retry = setTimeout(() => {
      retry = null;
      connected().catch((error) => {
        log.warn({ err: (error as Error).message }, 'broker unreachable; retrying');
        schedule();
      });
    }, options.reconnectMs);
  }

  /** A failed publish never reached a handler: the outbox holds the event without counting an attempt. */
  async function publish(subscriber: string, event: EventEnvelope): Promise<void> {
    try {
      await publishConfirmed(subscriber, event);
    } catch (error) {
      throw new DeliveryUnavailable(`broker: ${(error as Error).message}`);
    }
  }

  async function publishConfirmed(subscriber: string, event: EventEnvelope): Promise<void> {
    const channel = await connected();
    const module = subscriber.split('.')[0]!;
    if (!declared.has(module)) {
      await declareModuleQueue(channel, prefix, module, options.deliveryLimit);
      declared.add(module);
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('broker did not confirm in time')), options.confirmTimeoutMs);
      channel.publish(
        exchange,
        subscriber,
        Buffer.from(JSON.stringify(event)),
        {
          persistent: true,
          messageId: event.id,
          contentType: 'application/json',
        },
        (error) => {
          clearTimeout(timer);
          if (error) reject(error instanceof Error ? error : new Error('broker refused the message'));
          else resolve();
        },
      );
    });
  }

  return {
    exchange,
    queueOf: (module: string) => `${prefix}.${module}`,
    /** Publishes one event for one handler; resolves once the broker has confirmed it. */
    publish,
    status: () => (publisher ? 'connected' : 'disconnected'),
    /** Messages waiting in this process's modules' queues and dead-letter queues; none while disconnected. */
    depths: (): Promise<QueueDepths[]> => (model ? queueDepths(model, prefix, consumers) : Promise.resolve([])),
    /** Connects and starts consuming; a broker that is down is retried in the background. */
    async start(): Promise<void> {
      if (running) return;
      running = true;
      // Already connected by an early publish: start consuming on that connection.
      if (model) for (const module of consumers) await consume(model, module);
      await connected().catch((error) => {
        log.warn({ err: (error as Error).message }, 'broker unreachable; retrying');
        schedule();
      });
    },
    /** Stops consuming, lets the message in hand finish (and be acked), then closes the connection. */
    async close(): Promise<void> {
      running = false;
      if (retry) clearTimeout(retry);
      retry = null;
      await opening?.catch(() => undefined);
      await consumer.drain();
      const connection = model;
      model = null;
      publisher = null;
      if (connection) log.info({}, 'broker connection closed');
      await connection?.close().catch(() => undefined);
    },
  };
}

export type Broker = ReturnType<typeof makeBroker>;
