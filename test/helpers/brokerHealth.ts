/**
 * Whether the live broker's quorum queues work end to end (declare, consume, publish, receive), and
 * a full restart of its node when they do not. RabbitMQ can come back from `stop_app`/`start_app`
 * with its quorum-queue machinery gone: consumers then crash (`noproc`) and every broker test fails
 * until the node restarts. The suite never stops the broker (test/helpers/brokerLink.ts cuts a link
 * instead), but the machine's broker is shared: CI checks it before each run of the suite
 * (`node --import tsx test/helpers/brokerHealth.ts`).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { BROKER_URL } from './broker.ts';

const run = promisify(execFile);

async function quorumQueuesWork(timeoutMs = 10_000): Promise<boolean> {
  const queue = `probe.${randomBytes(5).toString('hex')}`;
  let connection;
  try {
    connection = await connect(BROKER_URL);
    connection.on('error', () => undefined); // a crashed channel closes the connection: the answer is "no"
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const received = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      connection!.on('close', () => resolve(false));
      void channel.consume(
        queue,
        (message) => {
          clearTimeout(timer);
          resolve(message !== null);
        },
        { noAck: true },
      );
    });
    channel.sendToQueue(queue, Buffer.from('probe'));
    const ok = await received;
    if (ok) await channel.deleteQueue(queue);
    return ok;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

async function restartNode(): Promise<void> {
  await run('rabbitmqctl', ['stop'], { timeout: 120_000 }).catch(() => undefined);
  await run('rabbitmq-server', ['-detached'], { timeout: 60_000 });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await run('rabbitmq-diagnostics', ['-q', 'check_running'], { timeout: 30_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/** Restarts the broker's node if its quorum queues do not work; says which. */
async function ensureBrokerHealthy(): Promise<'healthy' | 'restarted'> {
  if (await quorumQueuesWork()) return 'healthy';
  await restartNode();
  if (!(await quorumQueuesWork())) throw new Error('RabbitMQ quorum queues still fail after a restart of the node');
  return 'restarted';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outcome = await ensureBrokerHealthy();
  console.log(outcome === 'healthy' ? 'broker: quorum queues work' : 'broker: quorum queues failed; the node was restarted and they work');
}
