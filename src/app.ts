/**
 * createApp() builds seams — databases, migrations, module containers, event
 * dispatcher, HTTP stack — and never listens: src/main.ts does that. Each step
 * lives in src/host/; this file is their table of contents.
 */
import { ConfigError, type Config } from './config.ts';
import { addGauges } from './host/gauges.ts';
import { openMigrated } from './host/databases.ts';
import { wireEvents } from './host/events.ts';
import { httpStack } from './host/http.ts';
import { makeLifecycle } from './host/lifecycle.ts';
import { makeReadiness } from './host/readiness.ts';
import { makeHostTokens } from './host/tokens.ts';
import type { Clock, Logger, ModuleDefinition } from './kernel/index.ts';
import { modules as moduleList } from './modules.ts';
import { backfillPublisherStatuses, followedStatuses, platformHandlers, publisherKeeper } from './platform/auth/publisherStatuses.ts';
import { makeTokenReplication } from './platform/auth/tokenReplication.ts';
import { composeModules } from './platform/container.ts';
import type { BrokerOptions } from './platform/events/broker.ts';
import type { DispatcherDeps } from './platform/events/dispatcher.ts';
import { makeIdempotency } from './platform/idempotency.ts';
import { createLogger, systemClock } from './platform/logger.ts';
import { makeMetrics } from './platform/metrics.ts';
import { readModuleSettings } from './platform/moduleSettings.ts';
import { platformCradles } from './platform/platformCradle.ts';
import { planTopology } from './platform/topology.ts';

export interface AppOptions {
  /** The module list (default: src/modules.ts). */
  modules?: ModuleDefinition[];
  clock?: Clock;
  log?: Logger;
  dispatcher?: Pick<DispatcherDeps, 'options' | 'hooks'>;
  /** Used when SEAMS_BROKER_URL is set. */
  broker?: Partial<BrokerOptions>;
}

export type App = Awaited<ReturnType<typeof createApp>>;

export async function createApp(config: Config, options: AppOptions = {}) {
  const log = options.log ?? createLogger(config);
  const clock = options.clock ?? systemClock;
  const all = options.modules ?? moduleList;
  // The platform follows publishers' statuses for their tokens, in the process that runs the module keeping them.
  const keeper = publisherKeeper(all);
  const topology = planTopology(all, config, followedStatuses(keeper));
  const settings = readModuleSettings(topology.local, config.seamsEnv);
  if (settings.problems.length > 0) throw new ConfigError(settings.problems);
  const { databases, tracks } = await openMigrated(config, topology.local, log);
  const platformDb = databases.get('platform')!;
  const metrics = makeMetrics(topology.local.map((m) => databases.get(m.name)!));
  const replication = makeTokenReplication({ db: platformDb, peers: topology.peers, serviceToken: config.serviceToken, clock, log });
  try {
    const events = wireEvents({
      config,
      topology,
      databases,
      clock,
      log,
      platformHandlers: platformHandlers(replication, keeper),
      dispatcher: options.dispatcher,
      broker: options.broker,
    });
    const cradles = platformCradles({
      database: (name) => databases.get(name)!,
      subscribers: topology.subscribers,
      clock,
      log,
      settings: settings.settings,
      onCommit: events.dispatcher.wake,
    });
    const composition = composeModules(topology.local, cradles, topology.remoteFacades, metrics.instrumentFacade);
    events.addHandlers(composition);
    const { tokens, directory } = makeHostTokens({ config, clock, db: platformDb, replication, keeper, facades: composition.root });
    const idempotency = makeIdempotency({ knex: platformDb.knex, clock });
    const readiness = makeReadiness({ databases, tracks, topology, replication, broker: events.broker });
    const { koa, alerter } = httpStack({
      config,
      log,
      metrics,
      readiness: readiness.report,
      tokens,
      idempotency,
      composition,
      handlers: events.handlers,
      replication,
    });
    addGauges(metrics, composition, events.broker);
    const lifecycle = makeLifecycle({
      log,
      events,
      replication,
      composition,
      idempotency,
      readiness,
      databases,
      topology,
      alerter,
      backfillStatuses: directory && (() => backfillPublisherStatuses(platformDb, directory, replication, log)),
    });
    return {
      config,
      koa,
      callback: () => koa.callback(),
      facades: composition.root,
      modules: composition.modules,
      databases,
      dispatcher: events.dispatcher,
      broker: events.broker,
      tokens,
      tokenReplication: replication,
      metrics,
      readiness: readiness.report,
      ...lifecycle,
    };
  } catch (error) {
    await replication.close();
    await Promise.all([...databases.values()].map((d) => d.close()));
    await topology.close();
    throw error;
  }
}
