/**
 * What a module is, as the host sees it, and what the host gives it. A module's
 * `index.ts` exports one `defineModule({...})`; the host's module list is the
 * only place that imports it.
 */
import type { AwilixContainer } from 'awilix';
import type { Knex } from 'knex';
import type { Contract, EventEnvelope, EventPayload, EventSpec } from './contract.ts';
import type { RouteSpec } from './http.ts';
import type { Logger } from './logger.ts';
import type { TObject } from './schema.ts';
import type { ModuleDatabase } from './moduleDatabase.ts';

// The module database's interface lives beside its helpers' types; modules import it from the kernel as before.
export type { BulkWrite, ColumnTypes, Dialect, LeaseClaim, ModuleDatabase, SqlPart } from './moduleDatabase.ts';

export interface Outbox {
  /** Appends an event inside the caller's transaction: it exists only if that transaction commits. */
  append<E extends EventSpec>(trx: Knex.Transaction, event: E, payload: EventPayload<E>): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** What the host registers in every module's container before the module registers its own parts. */
export interface PlatformCradle {
  db: ModuleDatabase;
  outbox: Outbox;
  log: Logger;
  clock: Clock;
  /** The module's own settings, as its `settings` schema declares them (validated, defaults applied). */
  settings: unknown;
}

export interface SubscriptionSpec<C> {
  event: EventSpec;
  /** Stable name recorded in the inbox with each handled event id. */
  handler: string;
  /** Runs in the subscriber's transaction, together with the inbox record. */
  // Each subscription's handler takes its own event's payload: `any` lets a list of them share this type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handle(cradle: C): (event: EventEnvelope<any>, trx: Knex.Transaction) => Promise<void>;
}

export interface Progress {
  /** Reports how many units are done (and the total, once known), with a detail to show beside them. */
  update(done: number, total?: number, detail?: string): void;
  /** Ends the display with a summary line. */
  finish(summary?: string): void;
  /** Ends the display without one: the command reports its outcome itself. */
  clear(): void;
}

export interface CommandIO {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** A progress bar on a terminal (count, rate, ETA); plain progress lines otherwise. */
  progress(label: string, unit: string, total?: number): Progress;
}

/** A positional argument of a command, e.g. the file of `import deliveries <file>`. */
export interface CommandArgument {
  /** Its name in help (`<file>`) and its key in `CommandInput.args`. */
  name: string;
  description: string;
  /** Default: true. */
  required?: boolean;
  choices?: readonly string[];
  /** A file to read: the CLI checks that it is a readable file before the command opens anything. */
  file?: boolean;
  /** Says what is wrong with a value (the CLI refuses it as a usage error), or null when it is fine. */
  check?: (value: string) => string | null;
}

/** A `--name VALUE` option of a command. */
export interface CommandOption {
  /** The flag without its dashes (`period` for `--period`) and its key in `CommandInput.options`. */
  name: string;
  /** The value's placeholder in help, e.g. `YYYY-MM`. */
  value: string;
  description: string;
  required?: boolean;
  choices?: readonly string[];
  default?: string;
  check?: (value: string) => string | null;
}

/** What the CLI parsed and checked against a command's declaration. */
export interface CommandInput {
  args: Record<string, string | undefined>;
  options: Record<string, string | undefined>;
}

/**
 * An operator command, declared as data: the CLI turns the declaration into its help, parses and
 * checks the input (exit 2 with a message naming the flag when it is wrong) and only then runs it.
 * `run` answers the exit code: 0 done, 1 failed (a thrown error is a one-line message and 1).
 */
export interface CommandSpec {
  /** Words after `npm run cli --`, e.g. `import deliveries`. */
  name: string;
  summary: string;
  arguments?: CommandArgument[];
  options?: CommandOption[];
  run(input: CommandInput, io: CommandIO): Promise<number>;
}

/** Input that the declaration could not refuse (e.g. two options that exclude each other): exit 2, like a parse error. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A long-running loop owned by a module (e.g. the invoice-run worker). */
export interface BackgroundWorker {
  name: string;
  start(): void;
  /** Stops claiming work and resolves once the current batch is done. */
  stop(): Promise<void>;
}

/** A gauge a module exposes on /metrics, read at scrape time. */
export interface GaugeSpec {
  /** Prometheus name, prefixed `seams_<module>_`. */
  name: string;
  help: string;
  labelNames: string[];
  collect(): Promise<{ labels: Record<string, string>; value: number }[]>;
}

/** A publisher's status as the module that keeps publishers answers it. */
export interface PublisherStatusFact {
  publisherId: string;
  status: 'active' | 'suspended';
}

/**
 * Declared by the module that keeps publishers: the platform refuses a suspended publisher's tokens without
 * knowing that module, from the event that announces a change and a batched read through its facade.
 */
export interface PublisherStatusSource {
  /** The event to follow, in the process that runs the module. */
  event: EventSpec;
  /** The status an event of that kind sets, with the publisher's version; null when it leaves the status as it was. */
  statusSet(payload: unknown): (PublisherStatusFact & { version: number }) | null;
  /** Through the module's facade (local, or an HTTP client where it runs elsewhere): the publishers of these ids that exist. */
  read(facade: unknown, publisherIds: string[]): Promise<PublisherStatusFact[]>;
}

// The module list holds definitions of different cradles: the default lets them share one type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ModuleDefinition<C extends object = any> {
  name: string;
  /** Absolute path of the module's migrations folder. */
  migrations: string;
  /** The contract this module offers other modules. */
  provides?: Contract;
  /** Contracts of other modules whose facades this module calls. */
  uses?: Contract[];
  /**
   * The module's own settings: each key is read from `SEAMS_<MODULE>_<KEY>` (the key in upper snake case),
   * validated at start with the rest of the configuration, and registered as `settings`.
   */
  settings?: TObject;
  /** Registers the module's own parts in its own container. */
  register(container: AwilixContainer<C>): void;
  facade?: (cradle: C) => object;
  routes?: (cradle: C) => RouteSpec[];
  subscriptions?: SubscriptionSpec<C>[];
  /**
   * Called to list the commands (for help) before anything is opened: read the cradle only inside
   * `run`, when the CLI has opened the module's databases.
   */
  commands?: (cradle: C) => CommandSpec[];
  workers?: (cradle: C) => BackgroundWorker[];
  gauges?: (cradle: C) => GaugeSpec[];
  /** Set by the one module that keeps publishers. */
  publisherStatuses?: PublisherStatusSource;
}

export function defineModule<C extends object>(definition: ModuleDefinition<C>): ModuleDefinition<C> {
  if (!/^[a-z][a-z0-9]*$/.test(definition.name)) throw new Error(`module name "${definition.name}" must be lower-case letters and digits`);
  return definition;
}
