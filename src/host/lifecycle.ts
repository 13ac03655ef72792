/**
 * The order in which a process starts and stops its background work. Start: event dispatch, token
 * replication, the publisher-status back-fill, broker consumers, module workers, housekeeping.
 * Stop: every loop finishes its current batch, then the broker, the pools, the remote clients and
 * the alert mailer close, in that order (a batch in hand still needs its database).
 */
import type { Logger } from '../kernel/index.ts';
import type { Alerter } from '../platform/alerts.ts';
import type { TokenReplication } from '../platform/auth/tokenReplication.ts';
import type { Composition } from '../platform/container.ts';
import type { OpenDatabase } from '../platform/database/open.ts';
import type { Idempotency } from '../platform/idempotency.ts';
import type { Topology } from '../platform/topology.ts';
import type { EventWiring } from './events.ts';
import type { Readiness } from './readiness.ts';

interface LifecycleDeps {
  log: Logger;
  events: Pick<EventWiring, 'dispatcher' | 'broker'>;
  replication: TokenReplication;
  composition: Composition;
  idempotency: Idempotency;
  readiness: Readiness;
  databases: Map<string, OpenDatabase>;
  topology: Topology;
  alerter: Alerter | null;
  /** Reads the statuses this replica lacks, where the module that keeps publishers is reachable. */
  backfillStatuses: (() => Promise<void>) | null;
}

const PRUNE_EVERY_MS = 10 * 60_000;

export function makeLifecycle(deps: LifecycleDeps) {
  const { log, events, replication, composition, idempotency, readiness } = deps;
  const { dispatcher, broker } = events;
  const workers = composition.modules.flatMap((m) => m.definition.workers?.(m.container.cradle) ?? []);
  let maintenance: NodeJS.Timeout | null = null;
  return {
    /** Starts background work: event dispatch, module workers, housekeeping. */
    start(): void {
      dispatcher.start();
      replication.start();
      deps.backfillStatuses?.().catch((error) => log.warn({ err: error }, 'reading publisher statuses failed'));
      broker?.start().catch((error) => log.error({ err: error }, 'broker consumers failed to start'));
      for (const worker of workers) worker.start();
      const prune = () => idempotency.prune().catch((error) => log.warn({ err: error }, 'idempotency prune failed'));
      maintenance = setInterval(prune, PRUNE_EVERY_MS);
      maintenance.unref();
    },
    /** Marks the process not ready (load balancers stop sending new requests). */
    beginShutdown(): void {
      readiness.markStopping();
    },
    /** Stops background work after its current batch, then closes the pools. */
    async close(): Promise<void> {
      readiness.markStopping();
      if (maintenance) clearInterval(maintenance);
      await Promise.all([dispatcher.stop(), replication.close(), ...workers.map((w) => w.stop())]);
      await broker?.close();
      await Promise.all([...deps.databases.values()].map((d) => d.close()));
      await deps.topology.close();
      await deps.alerter?.close();
    },
  };
}
