/**
 * The one skeleton every module follows: where a reader finds each part of any
 * module. `npm run arch:diagram` documents it (with which module has which
 * part) and test/boundaries/skeleton.test.ts holds the modules to it.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface SkeletonPart {
  /** A file, or a folder when it ends in `/`. */
  path: string;
  what: string;
  /** Every module has it; the others only when the module has that kind of part. */
  required: boolean;
}

export const MODULE_SKELETON: SkeletonPart[] = [
  { path: 'index.ts', what: 'the door for the host: `defineModule` — what the module registers, offers, uses and runs', required: true },
  { path: 'contract.ts', what: 'the door for other modules: facade methods, events and their schemas', required: true },
  { path: 'facade.ts', what: "the contract's methods, delegating to the module's services", required: false },
  { path: 'errors.ts', what: 'every domain error the module raises, with its stable code', required: true },
  { path: 'commands.ts', what: 'the operator commands the module adds to the CLI', required: false },
  { path: 'http/', what: 'routes as data (roles, schemas, possible errors) and their schemas', required: false },
  { path: 'data/', what: 'Objection models and the module-local data access the services share', required: false },
  { path: 'migrations/', what: "the module's own schema, migrated on its own track", required: true },
];

/** Whether a module folder has a part of the skeleton. */
export function hasPart(moduleDir: string, part: SkeletonPart): boolean {
  const target = join(moduleDir, part.path);
  if (!existsSync(target)) return false;
  return part.path.endsWith('/') ? statSync(target).isDirectory() : statSync(target).isFile();
}

/** The required parts a module folder lacks. */
export function missingParts(moduleDir: string): string[] {
  return MODULE_SKELETON.filter((part) => part.required && !hasPart(moduleDir, part)).map((part) => part.path);
}
