/** Starts seams (src/main.ts, the real server) or a floor app as its own process on the server core. */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, SERVER_CORE, freePort, pinRunning, start, waitReady, type Proc } from './processes.ts';

export interface Server {
  url: string;
  proc: Proc;
  /** Milliseconds from spawn to a 200 from the readiness route. */
  startMs: number;
  stop(): Promise<void>;
}

/**
 * Starts on every core (servers started side by side then start in parallel) and is pinned to its core
 * once ready, for the load; `pinnedFromStart` pins it from the spawn, so that its start-up is timed on one core.
 */
export async function startServer(
  script: string,
  options: {
    env: Record<string, string>;
    port?: number;
    readyPath?: string;
    logFile?: string;
    profileDir?: string;
    core?: string | null;
    pinnedFromStart?: boolean;
  },
): Promise<Server> {
  const port = options.port ?? (await freePort());
  const core = options.core === undefined ? SERVER_CORE : options.core;
  const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  if (options.profileDir) fs.mkdirSync(options.profileDir, { recursive: true });
  const proc = start(path.join(ROOT, script), [], {
    env: { LOG_LEVEL: 'info', SEAMS_SHUTDOWN_DRAIN_MS: '0', ...options.env, PORT: String(port) },
    core: options.pinnedFromStart ? core : null,
    nodeArgs,
    ...(options.logFile && { logFile: options.logFile }),
  });
  const url = `http://127.0.0.1:${port}`;
  const startMs = await waitReady(`${url}${options.readyPath ?? '/ready'}`, proc);
  if (!options.pinnedFromStart) pinRunning(proc.pid, core);
  return { url, proc, startMs, stop: () => proc.stop() };
}

export const startSeams = (
  env: Record<string, string>,
  options: { port?: number; logFile?: string; profileDir?: string; pinnedFromStart?: boolean } = {},
) => startServer('dist/src/main.js', { env, ...options });

/**
 * seams split in two processes as the README's "Extracting a module" says:
 * Operations (which serves the dashboard) and Billing, each the other's remote.
 * `billingStore`: Billing's own store (its database settings), as an isolated service runs; the two are
 * then each other's token peers. Without it both use `env`'s store.
 */
export async function startSplit(
  env: Record<string, string>,
  logDir: string,
  billingStore: Record<string, string> | null = null,
): Promise<{ operations: Server; billing: Server; stop(): Promise<void> }> {
  const [opsPort, billingPort] = [await freePort(), await freePort()];
  const shared = { ...env, SEAMS_SERVICE_TOKEN: 'bench-service-token-0123456789abcdef' };
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const peers = (port: number): Record<string, string> => (billingStore ? { SEAMS_PEERS: url(port) } : {});
  const name = billingStore ? 'isolated' : 'split';
  const [operations, billing] = await Promise.all([
    startSeams(
      { ...shared, SEAMS_MODULES: 'operations', SEAMS_REMOTE_BILLING: url(billingPort), ...peers(billingPort) },
      { port: opsPort, logFile: path.join(logDir, `${name}-operations.log`) },
    ),
    startSeams(
      { ...shared, ...billingStore, SEAMS_MODULES: 'billing', SEAMS_REMOTE_OPERATIONS: url(opsPort), ...peers(opsPort) },
      { port: billingPort, logFile: path.join(logDir, `${name}-billing.log`) },
    ),
  ]);
  return { operations, billing, stop: async () => void (await Promise.all([operations.stop(), billing.stop()])) };
}

type Stoppable = { stop(): Promise<void> };

/** Starts these side by side (the waits overlap); when one fails, those that started are stopped and its failure thrown. */
export async function startedTogether<T extends readonly Promise<Stoppable>[]>(
  starts: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starts as readonly Promise<Stoppable>[]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed === undefined)
    return settled.map((s) => (s as PromiseFulfilledResult<Stoppable>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
  await Promise.all(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.stop()] : [])));
  throw failed.reason;
}
