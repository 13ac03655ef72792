/**
 * How the platform learns that a publisher is suspended or reactivated, without reading the tables
 * of the module that keeps publishers, nor knowing its name: from what its definition declares
 * (`publisherStatuses`). In the process that runs that module, the platform follows its event (run
 * here, never through a broker) and replicates a status change like any token change; where the
 * module is reachable, token creation reads the status through its facade, and a back-fill on start
 * reads it for publisher tokens whose publisher this replica has no status of yet (publishers
 * suspended before statuses were followed).
 */
import type { EventEnvelope, Logger, ModuleDatabase, ModuleDefinition, PublisherStatusSource } from '../../kernel/index.ts';
import { eventChecker } from '../remote/eventChecks.ts';
import type { PlatformSubscription } from '../topology.ts';
import type { PublisherTokenStatus } from './tokenChanges.ts';
import type { TokenReplication } from './tokenReplication.ts';

const HANDLER = 'followPublisherStatus';

/** The module that keeps publishers (the one whose definition declares their statuses) and what it declares. */
export interface PublisherKeeper {
  module: ModuleDefinition;
  source: PublisherStatusSource;
}

export function publisherKeeper(all: ModuleDefinition[]): PublisherKeeper | null {
  for (const module of all) if (module.publisherStatuses) return { module, source: module.publisherStatuses };
  return null;
}

/** The platform's subscription to status changes, for the topology (which keeps it where the event is published). */
export function followedStatuses(keeper: PublisherKeeper | null): PlatformSubscription[] {
  return keeper ? [{ event: keeper.source.event, handler: HANDLER }] : [];
}

/** The platform's handlers by subscriber key (`platform.<handler>`): of the keeper's event, only a change of status matters here. */
export function platformHandlers(
  replication: TokenReplication,
  keeper: PublisherKeeper | null,
): Map<string, (event: EventEnvelope) => Promise<void>> {
  if (!keeper) return new Map();
  const { source } = keeper;
  const check = eventChecker([source.event]);
  const follow = async (event: EventEnvelope): Promise<void> => {
    check(event);
    const set = source.statusSet(event.payload);
    if (set) await replication.followPublisher(set);
  };
  return new Map([[`platform.${HANDLER}`, follow]]);
}

/** Reads publishers' statuses through the keeper's facade, local or remote. */
export interface PublisherDirectory {
  /** A publisher's status now, null when there is no such publisher. */
  status(publisherId: string): Promise<PublisherTokenStatus | null>;
  statuses(publisherIds: string[]): ReturnType<PublisherStatusSource['read']>;
}

export function publisherDirectory(source: PublisherStatusSource, facade: unknown): PublisherDirectory {
  return {
    status: async (publisherId) => (await source.read(facade, [publisherId]))[0]?.status ?? null,
    statuses: (publisherIds) => source.read(facade, publisherIds),
  };
}

/** Reads, once, the status of every publisher with tokens here whose status this replica lacks (version 0: any event supersedes it). */
export async function backfillPublisherStatuses(
  db: ModuleDatabase,
  directory: PublisherDirectory,
  replication: TokenReplication,
  log: Logger,
): Promise<void> {
  const missing: string[] = (
    await db
      .knex('tokens')
      .distinct('publisher_id')
      .whereNotNull('publisher_id')
      .whereNotIn('publisher_id', db.knex('publisher_statuses').select('publisher_id'))
  ).map((row: { publisher_id: string }) => row.publisher_id);
  for (let i = 0; i < missing.length; i += 1000) {
    for (const { publisherId, status } of await directory.statuses(missing.slice(i, i + 1000))) {
      await replication.followPublisher({ publisherId, status, version: 0 });
    }
  }
  if (missing.length > 0) log.info({ publishers: missing.length }, 'tokens: publisher statuses read from the module that keeps them');
}
