/**
 * Two processes' worth of seams in one test: each app runs some modules and
 * reaches the others over loopback HTTP, sharing the platform store, or with
 * `ownStores` each with stores of its own (its own SQLite folder or PostgreSQL
 * database), as separate services run: tokens then reach every app by replication.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { createApp, type App, type AppOptions } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { tempDir, freshPostgres, type Dialect } from './databases.ts';
import { BOOTSTRAP, clientFor, type Client } from './server.ts';

export const SERVICE_TOKEN = 'service-token-for-tests-0123456789';

export interface Node extends Client {
  /** The app serving now (a new one after `restart`). */
  app: App;
  store: SplitStore;
  /** Stops serving, as a process that goes down: the listener closes, then the app; its store stays. */
  stop(): Promise<void>;
  /** Starts a new app on the same port, settings and store, as the process coming back. */
  restart(): Promise<void>;
}

/** Where the processes of one split test keep their data: one SQLite folder, or one PostgreSQL database. */
export interface SplitStore {
  dataDir: string;
  databaseUrl: string | undefined;
}

export async function splitStore(t: ExecutionContext, dialect: Dialect): Promise<SplitStore> {
  return { dataDir: tempDir(t), databaseUrl: dialect === 'postgres' ? await freshPostgres(t) : undefined };
}

/** The configuration of one process running `group`, reaching other modules at `remotes` (SEAMS_REMOTE_<NAME> → URL). */
export function nodeConfig(store: SplitStore, group: string[], remotes: NodeJS.ProcessEnv, env: NodeJS.ProcessEnv = {}) {
  return loadConfig({
    SEAMS_DATA_DIR: store.dataDir,
    LOG_LEVEL: 'silent',
    SEAMS_DB_POOL_MAX: '3',
    SEAMS_BOOTSTRAP_TOKEN: BOOTSTRAP,
    SEAMS_SERVICE_TOKEN: SERVICE_TOKEN,
    SEAMS_MODULES: group.join(','),
    ...(store.databaseUrl && { DATABASE_URL: store.databaseUrl }),
    ...remotes,
    ...env,
  });
}

/**
 * Starts one app per group of module names; each sees the modules of other groups it lacks as remote,
 * and, as its SEAMS_PEERS, the apps it has no URL of otherwise (a broker's subscriber) or, with
 * `ownStores`, every other app (`env`: more settings for every app; `ownStores`: each app with stores
 * of its own, `stores` naming those of the first groups, e.g. the store of a node stopped before).
 */
export async function bootSplit(
  t: ExecutionContext,
  dialect: Dialect,
  groups: string[][],
  options: AppOptions & { env?: NodeJS.ProcessEnv; ownStores?: boolean; stores?: SplitStore[] } = {},
): Promise<Node[]> {
  const shared = options.ownStores ? null : await splitStore(t, dialect);
  const servers = await Promise.all(groups.map(() => listen(t, 0)));
  const urls = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  const nodes: Node[] = [];
  for (const [index, group] of groups.entries()) {
    const env = {
      ...Object.fromEntries(
        groups.flatMap((other, i) =>
          i === index ? [] : other.filter((name) => !group.includes(name)).map((name) => [`SEAMS_REMOTE_${name.toUpperCase()}`, urls[i]]),
        ),
      ),
      ...options.env,
    };
    const unreached = (other: string[]) => other.some((name) => !group.includes(name) && !env[`SEAMS_REMOTE_${name.toUpperCase()}`]);
    const peers = urls.filter((_, i) => i !== index && (options.ownStores || unreached(groups[i]!)));
    const store = shared ?? options.stores?.[index] ?? (await splitStore(t, dialect));
    const config = nodeConfig(store, group, { ...(peers.length > 0 && { SEAMS_PEERS: peers.join(',') }) }, env);
    let server = servers[index]!;
    let app = await serve(server, config, options);
    let running = true;
    const stop = async () => {
      if (!running) return;
      running = false;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.close();
    };
    t.teardown(stop);
    const node: Node = Object.assign(clientFor(urls[index]!), {
      app,
      store,
      stop,
      async restart() {
        await stop();
        server = await listen(t, Number(new URL(urls[index]!).port));
        app = node.app = await serve(server, config, options);
        running = true;
      },
    });
    nodes.push(node);
  }
  return nodes;
}

/** A listening server, closed when the test ends even if no app ever served on it. */
async function listen(t: ExecutionContext, port: number): Promise<http.Server> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.teardown(async () => {
    if (!server.listening) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return server;
}

/** Creates and starts the app on a listening server, which until then answers 503 as a process that is starting. */
async function serve(server: http.Server, config: ReturnType<typeof loadConfig>, options: AppOptions): Promise<App> {
  const starting = (_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(503).end();
  server.on('request', starting);
  const app = await createApp(config, options);
  app.start();
  server.off('request', starting).on('request', app.callback());
  return app;
}
