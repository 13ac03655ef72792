/**
 * The live RabbitMQ for broker tests (127.0.0.1:5672, guest/guest): each test
 * gets its own exchange and queue names (a random SEAMS_BROKER_PREFIX), deleted
 * when it ends, so tests running in parallel never share a queue.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'amqplib';
import type { ExecutionContext } from 'ava';

export const BROKER_URL = process.env.TEST_BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Environment for apps of one test, whose broker names are removed afterwards (`modules`: the consuming modules). */
export function brokerEnv(t: ExecutionContext, modules: string[]): { SEAMS_BROKER_URL: string; SEAMS_BROKER_PREFIX: string } {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  t.teardown(async () => {
    const connection = await connect(BROKER_URL);
    const channel = await connection.createChannel();
    for (const module of modules) {
      await channel.deleteQueue(`${prefix}.${module}`);
      await channel.deleteQueue(`${prefix}.${module}.dead`);
    }
    await channel.deleteExchange(`${prefix}.events`);
    await channel.deleteExchange(`${prefix}.dead`);
    await connection.close();
  });
  return { SEAMS_BROKER_URL: BROKER_URL, SEAMS_BROKER_PREFIX: prefix };
}

/** Messages waiting in a queue (not counting ones delivered and unacked). */
export async function queueDepth(queue: string): Promise<number> {
  const connection = await connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close();
  }
}
