/**
 * Two processes' worth of seams in one test: each app runs some modules and
 * reaches the others over loopback HTTP, sharing the platform store.
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
  app: App;
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

/** Starts one app per group of module names; each sees the modules of other groups it lacks as remote (`env`: more settings for every app). */
export async function bootSplit(t: ExecutionContext, dialect: Dialect, groups: string[][], options: AppOptions & { env?: NodeJS.ProcessEnv } = {}): Promise<Node[]> {
  const store = await splitStore(t, dialect);
  const servers = await Promise.all(
    groups.map(async () => {
      const server = http.createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  const urls = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  const nodes: Node[] = [];
  for (const [index, group] of groups.entries()) {
    const remotes = Object.fromEntries(
      groups.flatMap((other, i) =>
        i === index ? [] : other.filter((name) => !group.includes(name)).map((name) => [`SEAMS_REMOTE_${name.toUpperCase()}`, urls[i]]),
      ),
    );
    const app = await createApp(nodeConfig(store, group, remotes, options.env), options);
    app.start();
    servers[index]!.on('request', app.callback());
    t.teardown(async () => {
      servers[index]!.closeAllConnections();
      await new Promise((resolve) => servers[index]!.close(resolve));
      await app.close();
    });
    nodes.push(Object.assign(clientFor(urls[index]!), { app }));
  }
  return nodes;
}
