/**
 * A publisher's dashboard: its month to date from Operations' own delivery,
 * and its invoices, balance and last payout from Operations' own view of
 * Billing's events (kept by the handlers below, each in Operations'
 * transaction with its inbox record). Nothing here calls Billing, so the
 * dashboard answers while Billing is down; it lags Billing by the events in flight.
 */
import type { Knex } from 'knex';
import {
  dayOf,
  jsonIntegerOf,
  type Clock,
  type EventEnvelope,
  type EventPayload,
  type EventSpec,
  type ModuleDatabase,
} from '../../src/kernel/index.ts';
import type { InvoiceIssued, InvoicePaid, InvoiceVoided, PaymentRecorded } from '../billing/contract.ts';
import type { Earnings } from './earnings.ts';
import type { Publishers } from './publishers.ts';

/** How many of the latest invoices the dashboard lists. */
const LATEST = 5;

interface InvoiceRow {
  invoice_id: string;
  publisher_id: string;
  number: string;
  period: string;
  status: 'issued' | 'paid';
  currency: string;
  total_minor: number | string;
  paid_minor: number | string;
  issued_at: string;
  due_at: string;
}

interface DashboardDeps {
  db: ModuleDatabase;
  clock: Clock;
  publishers: Publishers;
  earnings: Earnings;
}

export function makeDashboard({ db, clock, publishers, earnings }: DashboardDeps) {
  return {
    async forPublisher(publisherId: string) {
      const publisher = await publishers.get(publisherId);
      const today = dayOf(clock.now());
      const [[month], invoices, [balance], lastPayment] = await Promise.all([
        earnings.between([publisherId], `${today.slice(0, 7)}-01`, today),
        db
          .knex<InvoiceRow>('publisher_invoices')
          .where({ publisher_id: publisherId })
          .orderBy([
            { column: 'issued_at', order: 'desc' },
            { column: 'invoice_id', order: 'desc' },
          ])
          .limit(LATEST),
        db
          .knex('publisher_invoices')
          .where({ publisher_id: publisherId, status: 'issued' })
          .select(db.knex.raw('SUM(total_minor - paid_minor) AS outstanding')),
        db.knex('last_payments').where({ publisher_id: publisherId }).first(),
      ]);
      return {
        publisher,
        monthToDate: { grossMicros: month?.grossMicros ?? 0, shareMicros: month?.shareMicros ?? 0 },
        invoices: invoices.map((row) => ({
          id: row.invoice_id,
          number: row.number,
          period: row.period,
          status: row.status,
          currency: row.currency,
          totalMinor: jsonIntegerOf(row.total_minor),
          paidMinor: jsonIntegerOf(row.paid_minor),
          issuedAt: row.issued_at,
          dueAt: row.due_at,
        })),
        outstandingMinor: balance?.outstanding == null ? 0 : jsonIntegerOf(balance.outstanding),
        currency: invoices[0]?.currency ?? 'USD',
        lastPaymentAt: (lastPayment?.paid_at as string | undefined) ?? null,
      };
    },
  };
}

export type Dashboard = ReturnType<typeof makeDashboard>;

type Handler<E extends EventSpec> = (event: EventEnvelope<EventPayload<E>>, trx: Knex.Transaction) => Promise<void>;

/** billing.InvoiceIssued: the invoice joins the publisher's list, nothing paid out yet. */
export const recordIssued: Handler<typeof InvoiceIssued> = async ({ payload: p }, trx) => {
  await trx('publisher_invoices')
    .insert({
      invoice_id: p.invoiceId,
      publisher_id: p.publisherId,
      number: p.number,
      period: p.period,
      status: 'issued',
      currency: p.currency,
      total_minor: p.totalMinor,
      paid_minor: 0,
      issued_at: p.issuedAt,
      due_at: p.dueAt,
    })
    .onConflict('invoice_id')
    .ignore();
};

/** billing.PaymentRecorded: what has been paid out on the invoice so far, and the dashboard's last payout. */
export const recordPayout: Handler<typeof PaymentRecorded> = async ({ payload: p }, trx) => {
  await trx('publisher_invoices')
    .where({ invoice_id: p.invoiceId })
    .where('paid_minor', '<', p.paidMinor)
    .update({ paid_minor: p.paidMinor });
  await lastPaymentAt(trx, p.publisherId, p.invoiceId, p.recordedAt);
};

/** billing.InvoicePaid: paid in full. */
export const recordPaid: Handler<typeof InvoicePaid> = async ({ payload: p }, trx) => {
  await trx('publisher_invoices').where({ invoice_id: p.invoiceId }).update({ status: 'paid', paid_minor: p.totalMinor });
  await lastPaymentAt(trx, p.publisherId, p.invoiceId, p.paidAt);
};

/** billing.InvoiceVoided: a voided invoice is no longer owed, nor shown. */
export const forgetVoided: Handler<typeof InvoiceVoided> = async ({ payload: p }, trx) => {
  await trx('publisher_invoices').where({ invoice_id: p.invoiceId }).delete();
};

async function lastPaymentAt(trx: Knex.Transaction, publisherId: string, invoiceId: string, paidAt: string): Promise<void> {
  const current = await trx('last_payments').where({ publisher_id: publisherId }).first();
  if (current && current.paid_at >= paidAt) return;
  await trx('last_payments')
    .insert({ publisher_id: publisherId, invoice_id: invoiceId, paid_at: paidAt })
    .onConflict('publisher_id')
    .merge();
}
