/**
 * A module's own settings, declared by the module (`settings`: a schema whose
 * keys are the settings) and read from `SEAMS_<MODULE>_<KEY>` environment
 * variables, the key in upper snake case (`issuerName` of billing is
 * SEAMS_BILLING_ISSUER_NAME). Validated at start with the rest of the
 * configuration: a bad value stops the process, naming the variable.
 */
import { validator, type ModuleDefinition } from '../kernel/index.ts';

export const settingVariable = (module: string, key: string) =>
  `SEAMS_${module.toUpperCase()}_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** Each module's settings by name, and every problem found (each naming its variable). */
export function readModuleSettings(modules: ModuleDefinition[], env: Readonly<Record<string, string | undefined>>) {
  const settings = new Map<string, Record<string, unknown>>();
  const problems: string[] = [];
  for (const module of modules) {
    if (!module.settings) continue;
    const values: Record<string, unknown> = {};
    for (const key of Object.keys(module.settings.properties)) {
      const raw = env[settingVariable(module.name, key)]?.trim();
      if (raw) values[key] = raw;
    }
    for (const problem of validator(module.settings).check(values)) {
      problems.push(`${settingVariable(module.name, problem.path.slice(1))} ${problem.message}`);
    }
    settings.set(module.name, values);
  }
  return { settings, problems };
}
