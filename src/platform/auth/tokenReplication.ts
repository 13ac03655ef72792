/**
 * Every process keeps its own replica of the tokens. A change made here is
 * committed with one platform-outbox row per peer; a dispatcher of its own
 * (woken by the commit, so a revocation reaches the peers in well under a
 * second) posts each row to its peer, where it is merged. A peer that is down
 * gets its rows when it returns: an outage is not an attempt. Catch-up on start
 * covers what no row carries (a process that never ran, a restored store).
 * An admin's change answers once the peers have it (or were found out of
 * reach), so a token just created, or revoked, is so on every process.
 */
import { Strict, invalid, validator, type Clock, type Logger, type ModuleDatabase, type Outbox } from '../../kernel/index.ts';
import { makeDispatcher } from '../events/dispatcher.ts';
import { makeOutbox } from '../events/outbox.ts';
import { EventEnvelopeShape, eventChecker } from '../remote/eventChecks.ts';
import { makeTokenCache } from './tokenCache.ts';
import { makeTokenCatchUp } from './tokenCatchUp.ts';
import {
  PublisherStatusChanged,
  TokenChanged,
  mergePublisherStatus,
  mergeTokens,
  readSnapshot,
  type PublisherStatusRecord,
  type TokenRecord,
  type TokenSnapshot,
} from './tokenChanges.ts';
import { peerClient, type PeerClient } from './peerClient.ts';
import { peerUrl, tokenChangeSubscribers } from './tokenPeers.ts';

const ChangeDelivery = Strict({ event: EventEnvelopeShape });
const checkDelivery = validator(ChangeDelivery);
/** How long an admin's change waits for the peers before it answers anyway (the outbox delivers it later). */
const PEER_WAIT_MS = 2_000;
const checks = new Map([TokenChanged, PublisherStatusChanged].map((spec) => [spec.name, eventChecker([spec])]));

export interface TokenReplicationDeps {
  /** This process's platform store. */
  db: ModuleDatabase;
  /** Base URLs of the other processes. */
  peers: string[];
  serviceToken: string | null;
  clock: Clock;
  log: Logger;
}

export function makeTokenReplication({ db, peers, serviceToken, clock, log }: TokenReplicationDeps) {
  let started = false;
  const cache = makeTokenCache();
  const clients = new Map<string, PeerClient>(peers.map((url) => [url, peerClient(url, serviceToken!)]));
  // Rows written by another process sharing this store may name a peer this one was not told of.
  const clientFor = (url: string) => {
    if (serviceToken === null) throw new Error(`no SEAMS_SERVICE_TOKEN to reach peer ${url}`);
    if (!clients.has(url)) clients.set(url, peerClient(url, serviceToken));
    return clients.get(url)!;
  };
  const dispatcher = makeDispatcher({
    sources: [db],
    clock,
    log: log.child({ component: 'token replication' }),
    deliver: async (subscriber, event) => {
      const url = peerUrl(subscriber);
      if (url === null) throw new Error(`${subscriber} is not a peer`);
      await clientFor(url).send(event);
    },
  });
  const outbox: Outbox = makeOutbox({ module: 'platform', subscribers: tokenChangeSubscribers(peers), clock, onCommit: dispatcher.wake });
  const catchUp = makeTokenCatchUp({
    db,
    peers: [...clients.values()],
    clock,
    log: log.child({ component: 'token replication' }),
    merged: cache.changed,
  });

  return {
    /** Where token changes are appended, in the transaction that makes them. */
    outbox,

    /** The tokens requests were checked against lately: emptied here at each change merged (tokenCache.ts). */
    cache,

    /** A change sent by a peer (`POST /internal/platform/tokens`): checked, then merged. */
    async receive(body: unknown): Promise<void> {
      const { event } = checkDelivery(body);
      const check = checks.get(event.name);
      if (!check) {
        const message = `must be one of ${[...checks.keys()].join(', ')}`;
        throw invalid('EVENTS.UNEXPECTED_EVENT', `/event/name ${message}`, [{ path: '/event/name', message }]);
      }
      check(event);
      if (event.name === TokenChanged.name) await mergeTokens(db.knex, [event.payload as TokenRecord]);
      else await mergePublisherStatus(db.knex, event.payload as PublisherStatusRecord, clock.now().toISOString());
      cache.changed();
    },

    /** This replica, for a peer catching up (`GET /internal/platform/tokens`). */
    snapshot: (): Promise<TokenSnapshot> => readSnapshot(db.knex),

    /** A publisher's status as the module that keeps publishers reports it: kept when newer, then sent to the peers. */
    async followPublisher(record: PublisherStatusRecord): Promise<void> {
      await db.writeTransaction(async (trx) => {
        if (await mergePublisherStatus(trx, record, clock.now().toISOString())) await outbox.append(trx, PublisherStatusChanged, record);
      });
      cache.changed();
    },

    /**
     * Resolves once each peer took the changes of these aggregates, or was tried and found out of reach,
     * or after PEER_WAIT_MS: an admin's request answers when its change holds everywhere it can.
     */
    async reachedPeers(aggregateIds: string[]): Promise<void> {
      if (!started) return;
      const deadline = Date.now() + PEER_WAIT_MS;
      while (Date.now() < deadline) {
        const unsettled = await db
          .knex('outbox')
          .whereIn('aggregate_id', aggregateIds)
          .where((q) => q.where('status', 'in_flight').orWhere((p) => p.where('status', 'pending').whereNull('last_error')))
          .first('seq');
        if (!unsettled) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },

    /** null when this replica has heard from every peer since the start; otherwise why not (for /ready). */
    pending: catchUp.pending,

    start(): void {
      if (peers.length === 0) return;
      started = true;
      dispatcher.start();
      catchUp.start();
    },

    async close(): Promise<void> {
      started = false;
      await Promise.all([dispatcher.stop(), catchUp.stop()]);
      await Promise.all([...clients.values()].map((c) => c.close()));
    },
  };
}

export type TokenReplication = ReturnType<typeof makeTokenReplication>;
