/** The server: builds the app, listens, and shuts down cleanly on SIGTERM/SIGINT. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createApp, type AppOptions } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger, flushLogs } from './platform/logger.ts';

const SHUTDOWN_DEADLINE_MS = 30_000;

/** Runs the server until SIGTERM/SIGINT; `options` lets a test serve another module list. */
export async function serve(options: AppOptions = {}): Promise<void> {
  const config = loadConfig();
  const log = options.log ?? createLogger(config);
  const app = await createApp(config, { ...options, log });
  app.start();

  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // No HOST: Node's default, every interface (IPv6 and IPv4).
    server.listen({ port: config.port, ...(config.host && { host: config.host }) }, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  log.info({ host: address, port, dataDir: config.databaseUrl ? undefined : config.dataDir }, 'seams is listening');

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    const deadline = setTimeout(() => {
      log.error({}, 'shutdown deadline passed; exiting');
      flushLogs(log);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    // Not ready at once, so load balancers stop sending; keep serving while they notice.
    app.beginShutdown();
    log.info({ signal, drainMs: config.shutdownDrainMs }, 'shutting down: draining');
    await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
    // Stop accepting; in-flight requests finish; idle keep-alive sockets close now.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    // Background work stops claiming and finishes its batch; then the pools close.
    await app.close();
    log.info({}, 'stopped');
    flushLogs(log);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // The banner last: whoever reads it may signal at once, and the handlers are in place.
  flushLogs(log); // log lines are buffered: keep them before the banner on stdout
  process.stdout.write(
    `\n${listeningBanner(address, port)}  (docs: /docs, health: /health, readiness: /ready)\n` +
      (config.bootstrapToken
        ? 'Admin access: use SEAMS_BOOTSTRAP_TOKEN as a Bearer token.\n'
        : 'Get an admin token: npm run cli -- tokens create --role admin   (or set SEAMS_BOOTSTRAP_TOKEN)\n'),
  );
}

/** Where the server really listens, and a URL that reaches it from this machine. */
export function listeningBanner(address: string, port: number): string {
  if (address === '::' || address === '0.0.0.0') {
    return `seams listening on port ${port} of every interface (${address}); from this machine: http://127.0.0.1:${port}`;
  }
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  return `seams listening on ${url} only (HOST)`;
}

export function runServer(options: AppOptions = {}): void {
  serve(options).catch((error) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`seams: ${error.message}\n`);
    } else {
      process.stderr.write(`seams failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runServer();
