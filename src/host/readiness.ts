/**
 * What `/ready` answers: every database reachable with its migrations current, the token replica
 * caught up, and the process not shutting down; with each store's event counts and the broker's state.
 */
import type { Broker } from '../platform/events/broker.ts';
import { eventCounts } from '../platform/events/operator.ts';
import type { TokenReplication } from '../platform/auth/tokenReplication.ts';
import type { OpenDatabase } from '../platform/database/open.ts';
import type { ReadinessReport } from '../platform/http/systemRoutes.ts';
import { pendingMigrations, type MigrationTrack } from '../platform/migrations.ts';
import type { Topology } from '../platform/topology.ts';

interface ReadinessDeps {
  databases: Map<string, OpenDatabase>;
  tracks: Map<string, MigrationTrack[]>;
  topology: Topology;
  replication: TokenReplication;
  broker: Broker | null;
}

export function makeReadiness({ databases, tracks, topology, replication, broker }: ReadinessDeps) {
  let stopping = false;
  return {
    /** From now on the process answers not ready (load balancers stop sending new requests). */
    markStopping(): void {
      stopping = true;
    },
    async report(): Promise<ReadinessReport> {
      const checks: Record<string, string> = {};
      const events: NonNullable<ReadinessReport['events']> = {};
      await Promise.all(
        [...databases].map(async ([name, db]) => {
          try {
            const pending = await pendingMigrations(db, tracks.get(name)!);
            checks[name] = pending.length === 0 ? 'ok' : `pending migrations: ${pending.join(', ')}`;
            // The platform's outbox holds token changes for peers (none in a single process).
            if (name !== 'platform' || topology.peers.length > 0) events[name] = await eventCounts(db);
          } catch (error) {
            checks[name] = `unreachable: ${(error as Error).message}`;
          }
        }),
      );
      const catchingUp = replication.pending();
      if (catchingUp !== null) checks.tokens = catchingUp;
      if (stopping) checks.process = 'shutting down';
      // A broker outage does not make the process unready: the outbox keeps the events until it returns.
      return { ready: Object.values(checks).every((c) => c === 'ok'), checks, events, ...(broker && { broker: broker.status() }) };
    },
  };
}

export type Readiness = ReturnType<typeof makeReadiness>;
