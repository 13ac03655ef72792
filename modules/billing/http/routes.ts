/** Every Billing route, as data the host mounts, authenticates, validates and documents. */
import type { RouteSpec } from '../../../src/kernel/index.ts';
import { accountRoutes } from './accountRoutes.ts';
import { invoiceRoutes, type InvoiceRoutesDeps } from './invoiceRoutes.ts';
import { runRoutes } from './runRoutes.ts';

export function billingRoutes(
  deps: Parameters<typeof accountRoutes>[0] & Parameters<typeof runRoutes>[0] & InvoiceRoutesDeps,
): RouteSpec[] {
  return [...accountRoutes(deps), ...runRoutes(deps), ...invoiceRoutes(deps)];
}
