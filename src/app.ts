/**
 * createApp() builds seams — databases, migrations, module containers, event
 * dispatcher, HTTP stack — and never listens: src/main.ts does that.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import Koa from 'koa';
import helmet from 'koa-helmet';
import { ConfigError, type Config } from './config.ts';
import { DomainError, facadeName, type Clock, type EventEnvelope, type Logger, type ModuleDefinition } from './kernel/index.ts';
import { modules as moduleList } from './modules.ts';
import { makeFailedAuthLimiter } from './platform/auth/failedAuthLimiter.ts';
import { backfillPublisherStatuses, followPublisherStatus, platformHandlers as platformHandlersOf, statusReader } from './platform/auth/publisherStatuses.ts';
import { makeTokenReplication, type TokenReplication } from './platform/auth/tokenReplication.ts';
import { makeTokenService } from './platform/auth/tokens.ts';
import { tokenRoutes } from './platform/auth/tokenRoutes.ts';
import { composeModules, type ComposedModule } from './platform/container.ts';
import { openDatabases, type OpenDatabase } from './platform/database/open.ts';
import { makeBroker, type Broker, type BrokerOptions } from './platform/events/broker.ts';
import { makeDispatcher, type DispatcherDeps } from './platform/events/dispatcher.ts';
import { handleOnce } from './platform/events/inbox.ts';
import { eventCounts } from './platform/events/operator.ts';
import { makeOutbox } from './platform/events/outbox.ts';
import { makeAlerter } from './platform/alerts.ts';
import { compression } from './platform/http/compression.ts';
import { docsRoutes } from './platform/http/docs.ts';
import { openApiDocument } from './platform/http/openapi.ts';
import { errorHandler, logUnexpected } from './platform/http/problem.ts';
import { requestContext } from './platform/http/requestContext.ts';
import { mountRoutes } from './platform/http/routes.ts';
import { systemRoutes, type ReadinessReport } from './platform/http/systemRoutes.ts';
import { makeIdempotency } from './platform/idempotency.ts';
import { eventChecker } from './platform/remote/eventChecks.ts';
import { internalRoutes } from './platform/remote/internalRoutes.ts';
import { planTopology, type Topology } from './platform/topology.ts';
import { createLogger, systemClock } from './platform/logger.ts';
import { makeMetrics, type Metrics } from './platform/metrics.ts';
import { readModuleSettings } from './platform/moduleSettings.ts';
import { migrate, migrationTracks, pendingMigrations, type MigrationTrack } from './platform/migrations.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const VERSION = (JSON.parse(fs.readFileSync(path.join(here, '../package.json'), 'utf8')) as { version: string }).version;

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
  // The platform follows publishers' statuses for their tokens, in the process that runs Operations.
  const topology = planTopology(options.modules ?? moduleList, config, [followPublisherStatus]);
  const { local } = topology;
  const moduleSettings = readModuleSettings(local, config.seamsEnv);
  if (moduleSettings.problems.length > 0) throw new ConfigError(moduleSettings.problems);
  const tracks = new Map(local.map((m) => [m.name, migrationTracks(m)]));
  tracks.set('platform', migrationTracks('platform'));

  const databases = await openDatabases(config, ['platform', ...local.map((m) => m.name)], log, async (dbs) => {
    for (const [name, db] of dbs) {
      const ran = await migrate(db, tracks.get(name)!);
      if (ran.length > 0) log.info({ module: name, migrations: ran }, 'migrated');
    }
  });
  const db = (name: string) => databases.get(name)!;
  const moduleDatabases = local.map((m) => db(m.name));
  const metrics = makeMetrics(moduleDatabases);
  const replication = makeTokenReplication({ db: db('platform'), peers: topology.peers, serviceToken: config.serviceToken, clock, log });
  const platformHandlers = platformHandlersOf(replication);

  let composition: ReturnType<typeof composeModules>;
  try {
    const handlers = new Map<string, (event: Parameters<typeof handleOnce>[3]) => Promise<unknown>>();
    // With a broker, every handler is reached through it (each module consumes its own queue), in every topology.
    const broker = config.brokerUrl
      ? makeBroker({
          url: config.brokerUrl,
          prefix: config.brokerPrefix,
          consumers: local.filter((m) => (m.subscriptions ?? []).length > 0).map((m) => m.name),
          handle: async (subscriber, event) => {
            const handler = handlers.get(subscriber);
            if (!handler) throw new Error(`no handler ${subscriber} in this process`);
            await handler(event);
          },
          log: log.child({ component: 'broker' }),
          options: options.broker,
        })
      : null;
    const dispatcher = makeDispatcher({
      sources: moduleDatabases,
      clock,
      log: log.child({ component: 'dispatcher' }),
      ...options.dispatcher,
      // Through the broker when there is one; otherwise a local handler runs through its inbox here,
      // a remote module's over HTTP into its inbox.
      deliver: async (subscriber, event) => {
        // The platform's own handlers run here, in the process whose module published the event.
        const platformHandler = platformHandlers.get(subscriber);
        if (platformHandler) return platformHandler(event);
        if (broker) return broker.publish(subscriber, event);
        const handler = handlers.get(subscriber);
        if (handler) return void (await handler(event));
        const module = subscriber.split('.')[0]!;
        const remote = topology.remotes.get(module);
        if (!remote) throw new Error(`no handler ${subscriber} here, and module ${module} is not remote`);
        await remote.deliverEvent(module, subscriber, event);
      },
    });
    composition = composeModules(
      local,
      (name) => ({
        db: db(name),
        outbox: makeOutbox({ module: name, subscribers: topology.subscribers, clock, onCommit: dispatcher.wake }),
        log: log.child({ module: name }),
        clock,
        settings: moduleSettings.settings.get(name) ?? {},
      }),
      topology.remoteFacades,
      metrics.instrumentFacade,
    );
    for (const module of composition.modules) {
      // A handler may take several events (one read model): it then gets them in order per aggregate, all kinds together.
      const byHandler = new Map<string, typeof module.subscriptions>();
      for (const subscription of module.subscriptions) {
        const key = `${module.definition.name}.${subscription.spec.handler}`;
        byHandler.set(key, [...(byHandler.get(key) ?? []), subscription]);
      }
      for (const [key, subscriptions] of byHandler) {
        const check = eventChecker(subscriptions.map((s) => s.spec.event));
        const handleOf = new Map(subscriptions.map((s) => [s.spec.event.name, s.handle]));
        handlers.set(key, (event) => {
          check(event);
          return handleOnce(db(module.definition.name), clock, key, event, handleOf.get(event.name)!);
        });
      }
    }
    return assemble({ config, log, clock, databases, dispatcher, broker, composition, tracks, topology, handlers, metrics, replication });
  } catch (error) {
    await replication.close();
    await Promise.all([...databases.values()].map((d) => d.close()));
    await topology.close();
    throw error;
  }
}

function assemble(parts: {
  config: Config;
  log: Logger;
  clock: Clock;
  databases: Map<string, OpenDatabase>;
  dispatcher: ReturnType<typeof makeDispatcher>;
  broker: Broker | null;
  composition: ReturnType<typeof composeModules>;
  tracks: Map<string, MigrationTrack[]>;
  topology: Topology;
  handlers: Map<string, (event: EventEnvelope) => Promise<unknown>>;
  metrics: Metrics;
  replication: TokenReplication;
}) {
  const { config, log, clock, databases, dispatcher, broker, composition, tracks, topology, handlers, metrics, replication } = parts;
  const platformDb = databases.get('platform')!;
  // Publisher tokens name a publisher: Operations (local or remote) says whether it exists, and its status.
  const directory = composition.root.hasRegistration('operationsFacade')
    ? composition.root.resolve<Parameters<typeof statusReader>[0]>('operationsFacade')
    : null;
  const tokens = makeTokenService({
    db: platformDb,
    clock,
    bootstrapToken: config.bootstrapToken,
    outbox: replication.outbox,
    reachedPeers: replication.reachedPeers,
    ...(directory && { publisherStatus: statusReader(directory) }),
  });
  const idempotency = makeIdempotency({ knex: platformDb.knex, clock });
  let stopping = false;

  async function readiness(): Promise<ReadinessReport> {
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
  }

  const koa = new Koa();
  // Behind SEAMS_TRUST_PROXY balancers the client is the entry that many hops back in X-Forwarded-For.
  koa.proxy = config.trustProxy > 0;
  koa.maxIpsCount = config.trustProxy;
  const limiter = makeFailedAuthLimiter();
  // Outermost: the request id and the log line see the final status, problems included.
  koa.use(requestContext(log, metrics));
  // Large answers (the docs bundle, long JSON lists) go out compressed when the client accepts it.
  koa.use(compression());
  // Everything below that throws becomes an RFC 9457 problem, never a stack trace.
  const alerter = config.smtpUrl && config.alertEmail ? makeAlerter({ smtpUrl: config.smtpUrl, to: config.alertEmail, log }) : null;
  const logged = logUnexpected(log);
  koa.use(
    errorHandler((error, ctx) => {
      logged(error, ctx);
      alerter?.report({ requestId: ctx.state.requestId, route: `${ctx.method} ${ctx._matchedRoute ?? ctx.path}`, error });
    }),
  );
  // Security headers on every response.
  koa.use(helmet());
  // System routes and the API documentation need no token.
  const system = systemRoutes(readiness, metrics, config.metricsToken, limiter);
  koa.use(system.routes()).use(system.allowedMethods());
  const mounted = [
    { module: 'platform', routes: tokenRoutes(tokens) },
    ...composition.modules.map((m) => ({ module: m.definition.name, routes: m.routes })),
  ];
  const docs = docsRoutes(openApiDocument(mounted, VERSION));
  koa.use(docs.routes()).use(docs.allowedMethods());
  // Between processes: local facades and inboxes for remote callers, service token only.
  const internal = internalRoutes({
    serviceToken: config.serviceToken,
    limiter,
    facades: new Map(
      composition.modules
        .filter((m) => m.definition.provides)
        .map((m) => [m.definition.name, composition.root.resolve(facadeName(m.definition.provides!))]),
    ),
    deliverLocal: async (subscriber, event) => {
      const handler = handlers.get(subscriber);
      if (!handler) throw new DomainError('EVENTS.NO_HANDLER', 'not_found', `No handler ${subscriber} in this process`);
      await handler(event);
    },
    tokens: replication,
  });
  koa.use(internal.routes()).use(internal.allowedMethods());
  // The API: tokens, then each module's routes, each authenticated and validated per route.
  const api = new Router();
  const routeDeps = { tokens, idempotency, log, limiter };
  for (const { module, routes } of mounted) mountRoutes(api, routes, module, routeDeps);
  koa.use(api.routes()).use(api.allowedMethods());

  const workers = composition.modules.flatMap((m: ComposedModule) => m.definition.workers?.(m.container.cradle) ?? []);
  for (const m of composition.modules) metrics.addGauges(m.definition.name, m.definition.gauges?.(m.container.cradle) ?? []);
  if (broker) {
    metrics.addGauges('broker', [{
      name: 'seams_broker_messages',
      help: "Messages waiting in the broker per module: its queue ('queued') and its dead-letter queue ('dead')",
      labelNames: ['module', 'queue'],
      collect: async () => (await broker.depths()).flatMap(({ module, queued, dead }) => [
        { labels: { module, queue: 'queued' }, value: queued },
        { labels: { module, queue: 'dead' }, value: dead },
      ]),
    }]);
  }
  let maintenance: NodeJS.Timeout | null = null;

  return {
    config,
    koa,
    callback: () => koa.callback(),
    facades: composition.root,
    modules: composition.modules,
    databases,
    dispatcher,
    broker,
    tokens,
    tokenReplication: replication,
    metrics,
    readiness,
    /** Starts background work: event dispatch, module workers, housekeeping. */
    start(): void {
      dispatcher.start();
      replication.start();
      if (directory) {
        backfillPublisherStatuses(platformDb, directory, replication, log).catch((error) => log.warn({ err: error }, 'reading publisher statuses failed'));
      }
      broker?.start().catch((error) => log.error({ err: error }, 'broker consumers failed to start'));
      for (const worker of workers) worker.start();
      const prune = () => idempotency.prune().catch((error) => log.warn({ err: error }, 'idempotency prune failed'));
      maintenance = setInterval(prune, 10 * 60_000);
      maintenance.unref();
    },
    /** Marks the process not ready (load balancers stop sending new requests). */
    beginShutdown(): void {
      stopping = true;
    },
    /** Stops background work after its current batch, then closes the pools. */
    async close(): Promise<void> {
      stopping = true;
      if (maintenance) clearInterval(maintenance);
      await Promise.all([dispatcher.stop(), replication.close(), ...workers.map((w) => w.stop())]);
      await broker?.close();
      await Promise.all([...databases.values()].map((d) => d.close()));
      await topology.close();
      await alerter?.close();
    },
  };
}
