/**
 * Figure 2 and issue 6 item 7, the cost of the hop: seams in one process vs
 * Operations and Billing split over HTTP in two, measured where calls cross
 * and where they no longer do. Synchronous calls run one way, Billing →
 * Operations: the dashboard (2a) reads Operations' own view of Billing's
 * events and crosses nothing; an invoice run (2b, one `earningsForMonth` per
 * page) and issuing an invoice (2c, one `closeMonth`) cross.
 * `npm run bench:hop` runs this figure alone.
 */
import { billingHop, type BillingHop } from './hopBilling.ts';
import { dashboardSplit, type DashboardSplit } from './hopDashboard.ts';
import type { BenchDatabase, Dialect } from './lib/databases.ts';
import type { ReadData } from './lib/seedRead.ts';
import type { Settings } from './lib/settings.ts';

export interface HopResult extends BillingHop {
  dialect: Dialect;
  dashboard: DashboardSplit;
}

/** `db` holds the read data set (for the dashboard); the run and the issues get databases of their own. */
export async function hop(db: BenchDatabase, data: ReadData, settings: Settings): Promise<HopResult> {
  const dashboard = await dashboardSplit(db, data, settings);
  return { dialect: db.dialect, dashboard, ...(await billingHop(db.dialect, settings)) };
}
