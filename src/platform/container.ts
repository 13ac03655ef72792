/**
 * The composition root. Every module gets its own Awilix container (strict,
 * PROXY) holding its private parts and the platform services bound to it; the
 * app's root container holds only the modules' facades. A module that asks its
 * container for another module's internal fails at start with a message that
 * names the door to use.
 */
import { asFunction, asValue, createContainer, InjectionMode, type AwilixContainer } from 'awilix';
import {
  bindFacade,
  facadeName,
  type Contract,
  type ModuleDefinition,
  type PlatformCradle,
  type RouteSpec,
  type SubscriptionSpec,
} from '../kernel/index.ts';

export class ModuleWallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModuleWallError';
  }
}

export interface ComposedModule {
  definition: ModuleDefinition;
  container: AwilixContainer;
  routes: RouteSpec[];
  // Subscriptions of every module, each over its own cradle.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  subscriptions: { spec: SubscriptionSpec<any>; handle: ReturnType<SubscriptionSpec<any>['handle']> }[];
}

export interface Composition {
  root: AwilixContainer;
  modules: ComposedModule[];
}

const PLATFORM_NAMES = ['db', 'outbox', 'log', 'clock', 'settings'];
const newContainer = () => createContainer({ strict: true, injectionMode: InjectionMode.PROXY });

/**
 * `remoteFacades` supplies facades of modules that run elsewhere (HTTP clients);
 * a contract a module uses must be provided locally or there.
 */
export function composeModules(
  definitions: ModuleDefinition[],
  platformFor: (module: string) => PlatformCradle,
  remoteFacades: Map<string, object> = new Map(),
  instrument: (module: string, transport: 'local' | 'http', facade: object) => object = (_m, _t, facade) => facade,
): Composition {
  const root = newContainer();
  const providers = new Map(definitions.filter((d) => d.provides).map((d) => [facadeName(d.provides!), d.name]));
  const containers = new Map<string, AwilixContainer>();

  for (const definition of definitions) {
    const container = newContainer();
    const platform = platformFor(definition.name);
    container.register(Object.fromEntries(PLATFORM_NAMES.map((name) => [name, asValue(platform[name as keyof PlatformCradle])])));
    for (const contract of definition.uses ?? []) {
      const name = facadeName(contract);
      if (!providers.has(name) && !remoteFacades.has(contract.module)) {
        throw new ModuleWallError(
          `Module "${definition.name}" needs the ${contract.module} facade, but module "${contract.module}" is neither run here ` +
            `(SEAMS_MODULES) nor configured as remote (SEAMS_REMOTE_${contract.module.toUpperCase()}=<base URL>).`,
        );
      }
      // Resolved on first use: facades may depend on each other in both directions.
      container.register(name, asFunction(() => root.resolve(name)).singleton());
    }
    definition.register(container);
    containers.set(definition.name, container);
  }

  guardInternals(containers);

  for (const [module, facade] of remoteFacades) root.register(`${module}Facade`, asValue(instrument(module, 'http', facade)));
  for (const definition of definitions) {
    if (!definition.provides) continue;
    if (!definition.facade) throw new Error(`Module "${definition.name}" provides a contract but no facade implementation`);
    const impl = definition.facade(containers.get(definition.name)!.cradle);
    const bound = bindFacade(definition.provides as Contract, impl as never);
    root.register(facadeName(definition.provides), asValue(instrument(definition.name, 'local', bound)));
  }

  const modules = definitions.map((definition) => {
    const container = containers.get(definition.name)!;
    return {
      definition,
      container,
      routes: definition.routes?.(container.cradle) ?? [],
      subscriptions: (definition.subscriptions ?? []).map((spec) => ({ spec, handle: spec.handle(container.cradle) })),
    };
  });
  return { root, modules };
}

/** In every module's container, each name another module registered resolves to a clear error. */
function guardInternals(containers: Map<string, AwilixContainer>): void {
  const owners = new Map<string, string>();
  for (const [module, container] of containers) {
    for (const name of Object.keys(container.registrations)) {
      if (!PLATFORM_NAMES.includes(name) && !name.endsWith('Facade')) owners.set(name, module);
    }
  }
  for (const [module, container] of containers) {
    for (const [name, owner] of owners) {
      if (owner === module || container.hasRegistration(name)) continue;
      container.register(
        name,
        asFunction(() => {
          throw new ModuleWallError(
            `Module "${module}" resolved "${name}", which is internal to module "${owner}". ` +
              `Modules reach each other only through contracts: add "${owner}" to uses and depend on ` +
              `${owner}Facade (modules/${owner}/contract.ts), or subscribe to its events.`,
          );
        }).singleton(),
      );
    }
  }
}
