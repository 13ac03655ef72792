/**
 * THE module list: the only file that imports modules' `index.ts`. Adding a
 * module is one folder under modules/ and one line here.
 */
import type { ModuleDefinition } from './kernel/index.ts';
import { billingModule } from '../modules/billing/index.ts';
import { operationsModule } from '../modules/operations/index.ts';

export const modules: ModuleDefinition[] = [operationsModule, billingModule];
