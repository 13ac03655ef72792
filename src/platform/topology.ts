/**
 * Which modules run here and which run elsewhere. SEAMS_MODULES picks the
 * local ones (default: all); SEAMS_REMOTE_<NAME> gives the base URL of one
 * that runs in another process, whose facade becomes an HTTP client of the
 * same contract and whose event handlers are reached over HTTP (or, with
 * SEAMS_BROKER_URL, through the broker: then a module that only subscribes to
 * this process's events needs no URL here).
 */
import { ConfigError, type Config } from '../config.ts';
import type { ModuleDefinition } from '../kernel/index.ts';
import type { SubscriberIndex } from './events/outbox.ts';
import { remoteModule, type RemoteModule } from './remote/client.ts';

export interface Topology {
  local: ModuleDefinition[];
  remotes: Map<string, RemoteModule>;
  remoteFacades: Map<string, object>;
  /** Every handler of every known module, local or remote, per event name. */
  subscribers: SubscriberIndex;
  close(): Promise<void>;
}

export function planTopology(all: ModuleDefinition[], config: Config): Topology {
  const problems: string[] = [];
  const known = new Set(all.map((m) => m.name));
  const wanted = config.modules ?? all.map((m) => m.name);
  for (const name of wanted) if (!known.has(name)) problems.push(`SEAMS_MODULES names unknown module "${name}" (known: ${[...known].join(', ')})`);
  for (const name of Object.keys(config.remotes)) {
    if (!known.has(name)) problems.push(`SEAMS_REMOTE_${name.toUpperCase()} names an unknown module`);
    else if (wanted.includes(name)) problems.push(`module "${name}" is both local (SEAMS_MODULES) and remote (SEAMS_REMOTE_${name.toUpperCase()})`);
  }
  if (Object.keys(config.remotes).length > 0 && config.serviceToken === null) {
    problems.push('SEAMS_SERVICE_TOKEN is required to call remote modules (set the same value in every process)');
  }
  const local = all.filter((m) => wanted.includes(m.name));
  const where = (name: string) => (wanted.includes(name) ? 'local' : config.remotes[name] ? 'remote' : 'nowhere');

  const subscribers: SubscriberIndex = new Map();
  for (const module of all) {
    for (const sub of module.subscriptions ?? []) {
      const publisher = sub.event.name.split('.')[0]!;
      // Through a broker, events wait in the subscriber's queue: it need not be reachable from here.
      if (where(publisher) === 'local' && where(module.name) === 'nowhere' && config.brokerUrl === null) {
        problems.push(`module "${module.name}" handles ${sub.event.name}, published here, but runs neither here nor remotely (SEAMS_REMOTE_${module.name.toUpperCase()}), and no broker carries events (SEAMS_BROKER_URL)`);
      }
      subscribers.set(sub.event.name, [...(subscribers.get(sub.event.name) ?? []), `${module.name}.${sub.handler}`]);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const remotes = new Map<string, RemoteModule>();
  const remoteFacades = new Map<string, object>();
  for (const module of all) {
    const url = config.remotes[module.name];
    if (!url || wanted.includes(module.name)) continue;
    const remote = remoteModule(url, config.serviceToken!);
    remotes.set(module.name, remote);
    if (module.provides) remoteFacades.set(module.name, remote.facade(module.provides));
  }
  return {
    local,
    remotes,
    remoteFacades,
    subscribers,
    close: async () => {
      await Promise.all([...remotes.values()].map((r) => r.close()));
    },
  };
}
