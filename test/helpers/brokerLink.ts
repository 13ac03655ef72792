/**
 * A TCP link between one test's app and the live RabbitMQ that the test can cut and restore: what
 * the app sees of a broker that goes away (its connection dropped, reconnects refused) and comes
 * back, without stopping the broker that every other test process shares.
 */
import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { BROKER_URL } from './broker.ts';

export interface BrokerLink {
  /** The broker URL through the link. */
  url: string;
  /** Drops every connection through the link and refuses new ones until `restore`. */
  cut(): void;
  restore(): void;
}

export async function brokerLink(t: ExecutionContext): Promise<BrokerLink> {
  const broker = new URL(BROKER_URL);
  const sockets = new Set<Socket>();
  let up = true;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (!up) return void client.destroy();
    const upstream = createConnection({ host: broker.hostname, port: Number(broker.port || 5672) });
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const url = new URL(BROKER_URL);
  url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: url.href.replace(/\/$/, ''),
    cut() {
      up = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      up = true;
    },
  };
}
