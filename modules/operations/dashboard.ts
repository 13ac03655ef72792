/**
 * A publisher's dashboard: its month to date from Operations' own data, its
 * invoices and balance from Billing's facade (one call), its last payment from
 * Billing's events.
 */
import { dayOf, type Clock, type Facade, type ModuleDatabase } from '../../src/kernel/index.ts';
import type { billingContract } from '../billing/contract.ts';
import { earningsBetween } from './earnings.ts';
import type { Publishers } from './publishers.ts';

export function makeDashboard({ db, clock, publishers, billingFacade }: {
  db: ModuleDatabase;
  clock: Clock;
  publishers: Publishers;
  billingFacade: Facade<typeof billingContract>;
}) {
  return {
    async forPublisher(publisherId: string) {
      const publisher = await publishers.get(publisherId);
      const today = dayOf(clock.now());
      const [[earnings], [billing], lastPayment] = await Promise.all([
        earningsBetween(db.knex, [publisherId], `${today.slice(0, 7)}-01`, today),
        billingFacade.billingSummaries({ publisherIds: [publisherId], latestInvoices: 5 }),
        db.knex('last_payments').where({ publisher_id: publisherId }).first(),
      ]);
      return {
        publisher,
        monthToDate: { grossMicros: earnings?.grossMicros ?? 0, shareMicros: earnings?.shareMicros ?? 0 },
        invoices: billing?.invoices ?? [],
        outstandingMinor: billing?.outstandingMinor ?? 0,
        currency: billing?.currency ?? 'USD',
        lastPaymentAt: (lastPayment?.paid_at as string | undefined) ?? null,
      };
    },
  };
}

export type Dashboard = ReturnType<typeof makeDashboard>;
