/**
 * Which modules run here and which run elsewhere. SEAMS_MODULES picks the
 * local ones (default: all); SEAMS_REMOTE_<NAME> gives the base URL of one
 * that runs in another process, whose facade becomes an HTTP client of the
 * same contract and whose event handlers are reached over HTTP (or, with
 * SEAMS_BROKER_URL, through the broker: then a module that only subscribes to
 * this process's events needs no URL here). Every other process is also a
 * peer for tokens (platform/auth/tokenPeers.ts): those URLs and SEAMS_PEERS.
 */
import { ConfigError, type Config } from '../config.ts';
import type { EventSpec, ModuleDefinition } from '../kernel/index.ts';
import { MAX_PEER_KEY_LENGTH, peerKey, peersOf } from './auth/tokenPeers.ts';
import type { SubscriberIndex } from './events/outbox.ts';
import { remoteModule, type RemoteModule } from './remote/client.ts';

export interface Topology {
  local: ModuleDefinition[];
  remotes: Map<string, RemoteModule>;
  remoteFacades: Map<string, object>;
  /** Every handler of every known module, local or remote, per event name (and the platform's, `platform.<handler>`). */
  subscribers: SubscriberIndex;
  /** Base URLs of the other processes, which keep token replicas of their own. */
  peers: string[];
  close(): Promise<void>;
}

/** A handler of the platform's own for a module's event, run in the process that publishes it. */
export interface PlatformSubscription {
  event: EventSpec;
  handler: string;
}

export function planTopology(all: ModuleDefinition[], config: Config, platformSubscriptions: PlatformSubscription[] = []): Topology {
  const problems: string[] = [];
  const known = new Set(all.map((m) => m.name));
  const wanted = config.modules ?? all.map((m) => m.name);
  for (const name of wanted)
    if (!known.has(name)) problems.push(`SEAMS_MODULES names unknown module "${name}" (known: ${[...known].join(', ')})`);
  for (const name of Object.keys(config.remotes)) {
    if (!known.has(name)) problems.push(`SEAMS_REMOTE_${name.toUpperCase()} names an unknown module`);
    else if (wanted.includes(name))
      problems.push(`module "${name}" is both local (SEAMS_MODULES) and remote (SEAMS_REMOTE_${name.toUpperCase()})`);
  }
  // A misspelt module database would leave the module writing to DATABASE_URL, unseen.
  for (const name of Object.keys(config.moduleDatabaseUrls)) {
    if (!known.has(name) && name !== 'platform')
      problems.push(`DATABASE_URL_${name.toUpperCase()} names an unknown module (known: ${[...known].join(', ')}, platform)`);
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
        problems.push(
          `module "${module.name}" handles ${sub.event.name}, published here, but runs neither here nor remotely ` +
            `(SEAMS_REMOTE_${module.name.toUpperCase()}), and no broker carries events (SEAMS_BROKER_URL)`,
        );
      }
      subscribers.set(sub.event.name, [...(subscribers.get(sub.event.name) ?? []), `${module.name}.${sub.handler}`]);
    }
  }
  for (const { event, handler } of platformSubscriptions) {
    if (where(event.name.split('.')[0]!) !== 'local') continue;
    subscribers.set(event.name, [...(subscribers.get(event.name) ?? []), `platform.${handler}`]);
  }
  problems.push(...peerProblems(all, config, where));
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
    peers: peersOf(config),
    close: async () => {
      await Promise.all([...remotes.values()].map((r) => r.close()));
    },
  };
}

/** Token changes made here must reach every other process: each needs a URL here, and the service token. */
function peerProblems(all: ModuleDefinition[], config: Config, where: (name: string) => string): string[] {
  const problems: string[] = [];
  // Without a broker, a module running elsewhere is already refused above unless it has a URL.
  if (config.brokerUrl !== null && config.peers.length === 0) {
    for (const module of all.filter((m) => where(m.name) === 'nowhere')) {
      problems.push(
        `module "${module.name}" runs in another process that no URL here reaches: set SEAMS_PEERS to its base URL ` +
          `(or SEAMS_REMOTE_${module.name.toUpperCase()}), so tokens created or revoked here reach it`,
      );
    }
  }
  if (config.peers.length > 0 && config.serviceToken === null) {
    problems.push('SEAMS_SERVICE_TOKEN is required to reach SEAMS_PEERS (set the same value in every process)');
  }
  for (const url of peersOf(config)) {
    if (peerKey(url).length > MAX_PEER_KEY_LENGTH)
      problems.push(`${url} is too long for a peer's base URL (at most ${MAX_PEER_KEY_LENGTH - 5} characters, dots counting 3)`);
  }
  return problems;
}
