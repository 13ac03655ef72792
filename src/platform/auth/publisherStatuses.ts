/**
 * How the platform learns that a publisher is suspended or reactivated, without
 * reading Operations' tables: from Operations' own contract. In the process
 * that runs Operations, the platform subscribes to `operations.PublisherUpdated`
 * (run here, never through a broker) and replicates a status change like any
 * token change; where Operations is reachable, token creation reads the status,
 * and a back-fill on start reads it for publisher tokens whose publisher this
 * replica has no status of yet (publishers suspended before statuses were followed).
 */
import type { EventEnvelope, EventPayload, Facade, Logger, ModuleDatabase } from '../../kernel/index.ts';
import { PublisherUpdated, type operationsContract } from '../../../modules/operations/contract.ts';
import { eventChecker } from '../remote/eventChecks.ts';
import type { PlatformSubscription } from '../topology.ts';
import type { PublisherTokenStatus } from './tokenChanges.ts';
import type { TokenReplication } from './tokenReplication.ts';

type Directory = Pick<Facade<typeof operationsContract>, 'publishersByIds'>;

export const followPublisherStatus: PlatformSubscription = { event: PublisherUpdated, handler: 'followPublisherStatus' };

/** The platform's handlers by subscriber key (`platform.<handler>`): PublisherUpdated, of which only a change of status matters here. */
export function platformHandlers(replication: TokenReplication): Map<string, (event: EventEnvelope) => Promise<void>> {
  const check = eventChecker([PublisherUpdated]);
  const follow = async (event: EventEnvelope): Promise<void> => {
    check(event);
    const { publisherId, status, version, changed } = event.payload as EventPayload<typeof PublisherUpdated>;
    if (changed.includes('status')) await replication.followPublisher({ publisherId, status, version });
  };
  return new Map([[`platform.${followPublisherStatus.handler}`, follow]]);
}

/** A publisher's status as Operations gives it now, null when there is no such publisher. */
export const statusReader = (directory: Directory) => async (publisherId: string): Promise<PublisherTokenStatus | null> =>
  (await directory.publishersByIds({ ids: [publisherId] }))[0]?.status ?? null;

/** Reads, once, the status of every publisher with tokens here whose status this replica lacks (version 0: any event supersedes it). */
export async function backfillPublisherStatuses(db: ModuleDatabase, directory: Directory, replication: TokenReplication, log: Logger): Promise<void> {
  const missing: string[] = (
    await db.knex('tokens')
      .distinct('publisher_id')
      .whereNotNull('publisher_id')
      .whereNotIn('publisher_id', db.knex('publisher_statuses').select('publisher_id'))
  ).map((row: { publisher_id: string }) => row.publisher_id);
  for (let i = 0; i < missing.length; i += 1000) {
    for (const publisher of await directory.publishersByIds({ ids: missing.slice(i, i + 1000) })) {
      await replication.followPublisher({ publisherId: publisher.id, status: publisher.status, version: 0 });
    }
  }
  if (missing.length > 0) log.info({ publishers: missing.length }, 'tokens: publisher statuses read from Operations');
}
