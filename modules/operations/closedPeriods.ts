/**
 * Billing's invoice events, as Operations keeps them: an issued invoice closes
 * its publisher's month to delivery rows, voiding it reopens the month, a paid
 * one becomes the dashboard's last payment. Each runs in Operations' own
 * transaction with its inbox record.
 */
import type { Knex } from 'knex';
import type { EventEnvelope, EventPayload } from '../../src/kernel/index.ts';
import type { InvoiceIssued, InvoicePaid, InvoiceVoided } from '../billing/contract.ts';

type Event<E extends typeof InvoiceIssued | typeof InvoiceVoided | typeof InvoicePaid> = EventEnvelope<EventPayload<E>>;

export async function closeMonth(event: Event<typeof InvoiceIssued>, trx: Knex.Transaction): Promise<void> {
  const { publisherId, period, invoiceId, issuedAt } = event.payload;
  await trx('closed_periods')
    .insert({ publisher_id: publisherId, period, invoice_id: invoiceId, closed_at: issuedAt })
    .onConflict(['publisher_id', 'period'])
    .merge(['invoice_id', 'closed_at']);
}

export async function reopenMonth(event: Event<typeof InvoiceVoided>, trx: Knex.Transaction): Promise<void> {
  const { publisherId, period, invoiceId, wasIssued } = event.payload;
  if (!wasIssued) return;
  // Only the invoice that closed the month may reopen it.
  await trx('closed_periods').where({ publisher_id: publisherId, period, invoice_id: invoiceId }).delete();
}

export async function recordPayment(event: Event<typeof InvoicePaid>, trx: Knex.Transaction): Promise<void> {
  const { publisherId, invoiceId, paidAt } = event.payload;
  const current = await trx('last_payments').where({ publisher_id: publisherId }).first();
  if (current && current.paid_at >= paidAt) return;
  await trx('last_payments')
    .insert({ publisher_id: publisherId, invoice_id: invoiceId, paid_at: paidAt })
    .onConflict('publisher_id')
    .merge();
}
