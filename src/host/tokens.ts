/**
 * The platform's tokens in this process. Publisher tokens name a publisher: the module that keeps
 * publishers (found by its definition, local or remote) says whether it exists, and its status.
 */
import type { AwilixContainer } from 'awilix';
import type { Config } from '../config.ts';
import { facadeName, type Clock, type ModuleDatabase } from '../kernel/index.ts';
import { publisherDirectory, type PublisherDirectory, type PublisherKeeper } from '../platform/auth/publisherStatuses.ts';
import type { TokenReplication } from '../platform/auth/tokenReplication.ts';
import { makeTokenService } from '../platform/auth/tokens.ts';

interface HostTokensDeps {
  config: Config;
  clock: Clock;
  /** The platform store. */
  db: ModuleDatabase;
  replication: TokenReplication;
  keeper: PublisherKeeper | null;
  /** The facades this process reaches (the composition's root container). */
  facades: AwilixContainer;
}

export function makeHostTokens({ config, clock, db, replication, keeper, facades }: HostTokensDeps) {
  const name = keeper?.module.provides ? facadeName(keeper.module.provides) : null;
  // Null where the keeper runs neither here nor at a known URL: tokens then take a publisher id on trust.
  const directory: PublisherDirectory | null =
    keeper && name && facades.hasRegistration(name) ? publisherDirectory(keeper.source, facades.resolve(name)) : null;
  const tokens = makeTokenService({
    db,
    clock,
    bootstrapToken: config.bootstrapToken,
    outbox: replication.outbox,
    reachedPeers: replication.reachedPeers,
    cache: replication.cache,
    ...(directory && { publisherStatus: directory.status }),
  });
  return { tokens, directory };
}
