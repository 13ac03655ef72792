/**
 * Payments against issued invoices. A bank reference names one payment per
 * invoice: sending it again returns that payment (200) instead of recording
 * it twice; the same reference with a different amount or day is a conflict
 * (409). Reaching the total makes the invoice paid and publishes InvoicePaid.
 */
import { isUniqueViolation, newId, type Caller, type Clock, type ModuleDatabase, type Outbox } from '../../src/kernel/index.ts';
import { InvoicePaid } from './contract.ts';
import { forUpdate, writeTransaction } from './data/database.ts';
import type { BillingModels, Payment } from './data/models.ts';
import { changedConcurrently, invoiceNotFound, invoiceNotPayable, overpayment, paymentReferenceReused } from './errors.ts';

export interface PaymentsDeps {
  models: BillingModels;
  db: ModuleDatabase;
  outbox: Outbox;
  clock: Clock;
}

export interface PaymentInput {
  amountMinor: number;
  receivedOn: string;
  reference: string;
}

export function paymentView(row: Payment, currency: string) {
  return {
    id: row.id,
    invoiceId: row.invoiceId,
    amountMinor: row.amountMinor,
    currency,
    receivedOn: row.receivedOn,
    reference: row.reference,
    createdAt: row.createdAt,
  };
}

export type PaymentView = ReturnType<typeof paymentView>;

export function makePayments({ models, db, outbox, clock }: PaymentsDeps) {
  const { Invoice, Payment } = models;
  const lock = forUpdate(db.dialect);

  async function record(caller: Caller, invoiceId: string, input: PaymentInput): Promise<{ payment: PaymentView; created: boolean }> {
    return writeTransaction(db, async (trx) => {
      // The invoice row lock serialises payments of one invoice, so the sum below cannot race.
      const invoice = await Invoice.query(trx).findById(invoiceId).modify(lock);
      if (!invoice) throw invoiceNotFound(invoiceId);
      const known = await Payment.query(trx).findOne({ invoice_id: invoiceId, reference: input.reference });
      if (known) {
        if (known.amountMinor !== input.amountMinor || known.receivedOn !== input.receivedOn) throw paymentReferenceReused(input.reference);
        return { payment: paymentView(known, invoice.currency), created: false };
      }
      if (invoice.status !== 'issued') throw invoiceNotPayable(invoice.status);
      const outstanding = invoice.totalMinor - invoice.paidMinor;
      if (input.amountMinor > outstanding) throw overpayment(outstanding);

      const now = clock.now().toISOString();
      const payment = await Payment.query(trx).insertAndFetch({
        id: newId('pay'),
        invoiceId,
        amountMinor: input.amountMinor,
        receivedOn: input.receivedOn,
        reference: input.reference,
        recordedBy: caller.tokenId,
        createdAt: now,
      });
      const paidMinor = invoice.paidMinor + input.amountMinor;
      const paid = paidMinor === invoice.totalMinor;
      const updated = await Invoice.query(trx)
        .findById(invoiceId)
        .where('version', invoice.version)
        .patch({ paidMinor, version: invoice.version + 1, updatedAt: now, ...(paid && { status: 'paid', paidAt: now }) });
      if (updated !== 1) throw changedConcurrently('The invoice');
      if (paid) {
        await outbox.append(trx, InvoicePaid, {
          invoiceId,
          publisherId: invoice.publisherId,
          period: invoice.period,
          number: invoice.number!,
          totalMinor: invoice.totalMinor,
          currency: invoice.currency,
          paidAt: now,
        });
      }
      return { payment: paymentView(payment, invoice.currency), created: true };
    });
  }

  return {
    async record(caller: Caller, invoiceId: string, input: PaymentInput) {
      try {
        return await record(caller, invoiceId, input);
      } catch (error) {
        // Two requests with one new reference at once (across processes): the loser now finds the winner's payment.
        if (isUniqueViolation(error)) return record(caller, invoiceId, input);
        throw error;
      }
    },
  };
}

export type Payments = ReturnType<typeof makePayments>;
