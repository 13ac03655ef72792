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

/** Starts one app per group of module names; each sees the modules of other groups it lacks as remote (`env`: more settings for every app). */
export async function bootSplit(t: ExecutionContext, dialect: Dialect, groups: string[][], options: AppOptions & { env?: NodeJS.ProcessEnv } = {}): Promise<Node[]> {
  const dataDir = tempDir(t);
  const databaseUrl = dialect === 'postgres' ? await freshPostgres(t) : undefined;
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
    const config = loadConfig({
      SEAMS_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      SEAMS_DB_POOL_MAX: '3',
      SEAMS_BOOTSTRAP_TOKEN: BOOTSTRAP,
      SEAMS_SERVICE_TOKEN: SERVICE_TOKEN,
      SEAMS_MODULES: group.join(','),
      ...(databaseUrl && { DATABASE_URL: databaseUrl }),
      ...remotes,
      ...options.env,
    });
    const app = await createApp(config, options);
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
