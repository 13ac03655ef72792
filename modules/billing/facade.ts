/**
 * Billing's facade for other modules, as its contract declares it: no methods. Billing offers events only,
 * so synchronous calls run one way (Billing → Operations) and nobody calls Billing.
 */
import type { Facade } from '../../src/kernel/index.ts';
import type { billingContract } from './contract.ts';

export function makeBillingFacade(): Facade<typeof billingContract> {
  return {};
}
