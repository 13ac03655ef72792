/**
 * Payments are the payouts the company sends a publisher against its issued
 * (self-billing) invoice. A bank reference names one payout per invoice:
 * sending it again returns that payment (200) instead of recording it twice;
 * the same reference with a different amount or day is a conflict (409).
 * Reaching the total makes the invoice paid and publishes InvoicePaid.
 */
import {
  dayOf,
  invalid,
  isUniqueViolation,
  newId,
  type Caller,
  type Clock,
  type FieldError,
  type ModuleDatabase,
  type Outbox,
} from '../../src/kernel/index.ts';
import { InvoicePaid, PaymentRecorded } from './contract.ts';
import { forUpdate } from './data/rowLocks.ts';
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
  paidOn: string;
  bankReference: string;
}

/** What the API sends: `paidOn`/`bankReference`, and under their former names `receivedOn`/`reference`. */
export interface PaymentRequest {
  amountMinor: number;
  paidOn?: string;
  bankReference?: string;
  receivedOn?: string;
  reference?: string;
}

/** One name or its former one, not two different values; paid out from 2000 on and not in the future. */
function paymentInput(request: PaymentRequest, today: string): PaymentInput {
  const errors: FieldError[] = [];
  const pick = (name: 'paidOn' | 'bankReference', former: 'receivedOn' | 'reference'): string => {
    const value = request[name] ?? request[former];
    if (value === undefined) errors.push({ path: `/${name}`, message: 'is required' });
    else if (request[name] !== undefined && request[former] !== undefined && request[name] !== request[former]) {
      errors.push({ path: `/${former}`, message: `is the former name of ${name} and must not differ from it` });
    }
    return value ?? '';
  };
  const input = {
    amountMinor: request.amountMinor,
    paidOn: pick('paidOn', 'receivedOn'),
    bankReference: pick('bankReference', 'reference'),
  };
  if (input.paidOn !== '' && (input.paidOn < '2000-01-01' || input.paidOn > today)) {
    errors.push({
      path: request.paidOn !== undefined ? '/paidOn' : '/receivedOn',
      message: `must be between 2000-01-01 and today (${today}, UTC)`,
    });
  }
  if (errors.length > 0) throw invalid('VALIDATION_FAILED', `${errors[0]!.path} ${errors[0]!.message}`, errors);
  return input;
}

function paymentView(row: Payment, currency: string) {
  return {
    id: row.id,
    invoiceId: row.invoiceId,
    amountMinor: row.amountMinor,
    currency,
    paidOn: row.paidOn,
    bankReference: row.bankReference,
    receivedOn: row.paidOn,
    reference: row.bankReference,
    createdAt: row.createdAt,
  };
}

export type PaymentView = ReturnType<typeof paymentView>;

export function makePayments({ models, db, outbox, clock }: PaymentsDeps) {
  const { Invoice, Payment } = models;
  const lock = forUpdate(db.dialect);

  async function record(caller: Caller, invoiceId: string, input: PaymentInput): Promise<{ payment: PaymentView; created: boolean }> {
    return db.writeTransaction(async (trx) => {
      // The invoice row lock serialises payments of one invoice, so the sum below cannot race.
      const invoice = await Invoice.query(trx).findById(invoiceId).modify(lock);
      if (!invoice) throw invoiceNotFound(invoiceId);
      const known = await Payment.query(trx).findOne({ invoice_id: invoiceId, bank_reference: input.bankReference });
      if (known) {
        if (known.amountMinor !== input.amountMinor || known.paidOn !== input.paidOn) throw paymentReferenceReused(input.bankReference);
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
        paidOn: input.paidOn,
        bankReference: input.bankReference,
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
      await outbox.append(trx, PaymentRecorded, {
        invoiceId,
        publisherId: invoice.publisherId,
        period: invoice.period,
        paymentId: payment.id,
        amountMinor: input.amountMinor,
        paidMinor,
        paidOn: input.paidOn,
        recordedAt: now,
      });
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
    async record(caller: Caller, invoiceId: string, request: PaymentRequest) {
      const input = paymentInput(request, dayOf(clock.now()));
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
