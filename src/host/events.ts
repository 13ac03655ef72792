/**
 * The event wiring of one process: the dispatcher that empties the local outboxes, the broker when
 * SEAMS_BROKER_URL is set, and the local handlers, each run through its module's inbox. The
 * dispatcher exists before the modules are composed (their outboxes wake it); the handlers are
 * added once they are.
 */
import type { Config } from '../config.ts';
import type { Clock, EventEnvelope, Logger } from '../kernel/index.ts';
import type { Composition } from '../platform/container.ts';
import type { OpenDatabase } from '../platform/database/open.ts';
import { makeBroker, type Broker, type BrokerOptions } from '../platform/events/broker.ts';
import { makeDispatcher, type DispatcherDeps } from '../platform/events/dispatcher.ts';
import { handleOnce } from '../platform/events/inbox.ts';
import { eventChecker } from '../platform/remote/eventChecks.ts';
import type { Topology } from '../platform/topology.ts';

export type LocalHandlers = Map<string, (event: EventEnvelope) => Promise<unknown>>;

interface EventWiringDeps {
  config: Config;
  topology: Topology;
  databases: Map<string, OpenDatabase>;
  clock: Clock;
  log: Logger;
  /** The platform's own handlers (`platform.<handler>`), run where the event is published. */
  platformHandlers: Map<string, (event: EventEnvelope) => Promise<void>>;
  dispatcher?: Pick<DispatcherDeps, 'options' | 'hooks'>;
  broker?: Partial<BrokerOptions>;
}

export function wireEvents({ config, topology, databases, clock, log, platformHandlers, ...options }: EventWiringDeps) {
  const handlers: LocalHandlers = new Map();
  const runHere = async (subscriber: string, event: EventEnvelope) => {
    const handler = handlers.get(subscriber);
    if (!handler) throw new Error(`no handler ${subscriber} in this process`);
    await handler(event);
  };
  // With a broker, every handler is reached through it (each module consumes its own queue), in every topology.
  const broker: Broker | null = config.brokerUrl
    ? makeBroker({
        url: config.brokerUrl,
        prefix: config.brokerPrefix,
        consumers: topology.local.filter((m) => (m.subscriptions ?? []).length > 0).map((m) => m.name),
        handle: runHere,
        log: log.child({ component: 'broker' }),
        options: options.broker,
      })
    : null;
  const dispatcher = makeDispatcher({
    sources: topology.local.map((m) => databases.get(m.name)!),
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

  return {
    broker,
    dispatcher,
    /** Local handlers by subscriber key (`<module>.<handler>`), for the dispatcher, the broker and the internal events route. */
    handlers,
    /** Adds the handlers of the composed modules. */
    addHandlers(composition: Composition): void {
      for (const module of composition.modules) addModuleHandlers(handlers, module, databases.get(module.definition.name)!, clock);
    },
  };
}

export type EventWiring = ReturnType<typeof wireEvents>;

function addModuleHandlers(handlers: LocalHandlers, module: Composition['modules'][number], db: OpenDatabase, clock: Clock): void {
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
      return handleOnce(db, clock, key, event, handleOf.get(event.name)!);
    });
  }
}
