/**
 * A publisher's dashboard: its month to date from Operations' own data, its
 * invoices and balance from Billing's facade (one call), its last payment from
 * Billing's events.
 */
import type { Knex } from 'knex';
import { dayOf, type Clock, type EventEnvelope, type EventPayload, type Facade, type ModuleDatabase } from '../../src/kernel/index.ts';
import type { billingContract, InvoicePaid } from '../billing/contract.ts';
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

/** billing.InvoicePaid: the dashboard's last payment (in Operations' own transaction, with its inbox record). */
export async function recordPayment(event: EventEnvelope<EventPayload<typeof InvoicePaid>>, trx: Knex.Transaction): Promise<void> {
  const { publisherId, invoiceId, paidAt } = event.payload;
  const current = await trx('last_payments').where({ publisher_id: publisherId }).first();
  if (current && current.paid_at >= paidAt) return;
  await trx('last_payments').insert({ publisher_id: publisherId, invoice_id: invoiceId, paid_at: paidAt }).onConflict('publisher_id').merge();
}
