/**
 * What the host registers in each module's container (db, outbox, log, clock, settings), built one
 * way for the server and for a CLI command, so a module cannot tell which of them runs it.
 */
import type { Clock, Logger, ModuleDatabase, PlatformCradle } from '../kernel/index.ts';
import { makeOutbox, type SubscriberIndex } from './events/outbox.ts';

interface PlatformParts {
  database: (module: string) => ModuleDatabase;
  /** Who handles each event, for the outbox to write one row per handler. */
  subscribers: SubscriberIndex;
  clock: Clock;
  log: Logger;
  /** Each module's settings, already validated (platform/moduleSettings.ts). */
  settings: Map<string, unknown>;
  /** After a transaction that appended events commits: the server wakes its dispatcher; a command has none. */
  onCommit: () => void;
}

export function platformCradles(parts: PlatformParts): (module: string) => PlatformCradle {
  const { database, subscribers, clock, log, settings, onCommit } = parts;
  return (module) => ({
    db: database(module),
    outbox: makeOutbox({ module, subscribers, clock, onCommit }),
    log: log.child({ module }),
    clock,
    settings: settings.get(module) ?? {},
  });
}
