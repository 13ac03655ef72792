/**
 * The invoice lifecycle: draft → issued → paid, draft → void, issued → void.
 * Issuing (invoiceIssue.ts runs the protocol around it) freezes who the invoice
 * is billed to, takes the next number and sets the dates; issuing and voiding
 * publish their events in the same transaction.
 */
import type { Knex } from 'knex';
import { addDays, dayOf, type Clock, type ModuleDatabase, type Outbox } from '../../src/kernel/index.ts';
import { InvoiceIssued, InvoiceVoided } from './contract.ts';
import { forUpdate } from './data/rowLocks.ts';
import type { BillTo, BillingModels, Invoice } from './data/models.ts';
import { accountMissing, changedConcurrently, illegalTransition, invoiceHasPayments, invoiceNotFound, staleInvoice } from './errors.ts';
import { invoiceView, type InvoiceView } from './invoices.ts';
import { takeInvoiceNumber } from './numbering.ts';

export interface InvoiceLifecycleDeps {
  models: BillingModels;
  db: ModuleDatabase;
  outbox: Outbox;
  clock: Clock;
}

const ALLOWED: Record<string, string[]> = { draft: ['issued', 'void'], issued: ['void'], paid: [], void: [] };

export function makeInvoiceLifecycle({ models, db, outbox, clock }: InvoiceLifecycleDeps) {
  const { Invoice, BillingAccount } = models;
  const lock = forUpdate(db.dialect);

  async function billTo(trx: Knex.Transaction, publisherId: string): Promise<BillTo> {
    const account = await BillingAccount.query(trx).findById(publisherId);
    if (!account) throw accountMissing(publisherId);
    return {
      legalName: account.legalNameOverride ?? account.publisherName,
      billingEmail: account.billingEmailOverride ?? account.contactEmail,
      taxId: account.taxId,
      address: account.address,
      paymentTermsDays: account.paymentTermsDays,
    };
  }

  /** Writes the change only if nobody changed the invoice since we read it. */
  async function save(trx: Knex.Transaction, invoice: Invoice, patch: Partial<Invoice>): Promise<Invoice> {
    const next = { ...patch, version: invoice.version + 1, updatedAt: clock.now().toISOString() };
    const updated = await Invoice.query(trx).findById(invoice.id).where('version', invoice.version).patch(next);
    if (updated !== 1) throw changedConcurrently('The invoice');
    return Object.assign(invoice, next);
  }

  /** The invoice locked for a change to `to`: it exists, is at the version the caller saw, and may make the move. */
  async function lockForChange(trx: Knex.Transaction, id: string, to: 'issued' | 'void', expectedVersion?: number): Promise<Invoice> {
    const invoice = await Invoice.query(trx).findById(id).modify(lock);
    if (!invoice) throw invoiceNotFound(id);
    if (expectedVersion !== undefined && expectedVersion !== invoice.version) throw staleInvoice(expectedVersion, invoice.version);
    if (!ALLOWED[invoice.status]!.includes(to)) throw illegalTransition(invoice.status, to);
    return invoice;
  }

  /** Issues a draft locked in `trx`, whose month Operations has closed for it. */
  async function issueDraft(trx: Knex.Transaction, invoice: Invoice): Promise<Invoice> {
    const now = clock.now();
    const to = await billTo(trx, invoice.publisherId);
    const number = await takeInvoiceNumber(db, trx, now.getUTCFullYear());
    const issuedAt = now.toISOString();
    const dueAt = addDays(dayOf(now), to.paymentTermsDays);
    const issued = await save(trx, invoice, { status: 'issued', number, billTo: to, issuedAt, dueAt });
    await outbox.append(trx, InvoiceIssued, {
      invoiceId: issued.id,
      publisherId: issued.publisherId,
      period: issued.period,
      number,
      totalMinor: issued.totalMinor,
      currency: issued.currency,
      issuedAt,
      dueAt,
    });
    return issued;
  }

  async function voidInvoice(trx: Knex.Transaction, invoice: Invoice, reason: string | null): Promise<Invoice> {
    const wasIssued = invoice.status === 'issued';
    const voidedAt = clock.now().toISOString();
    const to = invoice.billTo ?? (await billTo(trx, invoice.publisherId));
    const voided = await save(trx, invoice, { status: 'void', voidedAt, voidReason: reason, billTo: to });
    await outbox.append(trx, InvoiceVoided, {
      invoiceId: voided.id,
      publisherId: voided.publisherId,
      period: voided.period,
      number: voided.number,
      wasIssued,
      voidedAt,
    });
    return voided;
  }

  return {
    billTo,
    lockForChange,
    issueDraft,

    /** Voids a draft or an issued invoice without payments; Operations reopens its month from the event. */
    async void(id: string, reason: string | null, expectedVersion?: number): Promise<InvoiceView> {
      return db.writeTransaction(async (trx) => {
        const invoice = await lockForChange(trx, id, 'void', expectedVersion);
        // Money already paid out would be stranded on a void invoice.
        if (invoice.paidMinor > 0) throw invoiceHasPayments();
        const voided = await voidInvoice(trx, invoice, reason);
        voided.lines = await voided.$relatedQuery('lines', trx);
        return invoiceView(voided);
      });
    },

    /** Voids a draft that has no share any more (inside the run's or the issue's transaction). */
    voidDraft: (trx: Knex.Transaction, invoice: Invoice, reason: string) => voidInvoice(trx, invoice, reason),
  };
}

export type InvoiceLifecycle = ReturnType<typeof makeInvoiceLifecycle>;
