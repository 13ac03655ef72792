/**
 * The invoice lifecycle: draft → issued → paid, draft → void, issued → void.
 * Issuing freezes who it is billed to, takes the next number and sets the
 * dates; issuing and voiding publish their events in the same transaction.
 */
import type { Knex } from 'knex';
import { addDays, dayOf, type Clock, type ModuleDatabase, type Outbox } from '../../src/kernel/index.ts';
import { InvoiceIssued, InvoiceVoided } from './contract.ts';
import { forUpdate, writeTransaction } from './data/database.ts';
import type { BillTo, BillingModels, Invoice } from './data/models.ts';
import {
  accountMissing,
  changedConcurrently,
  illegalTransition,
  invoiceHasPayments,
  invoiceNotFound,
  reasonOnlyForVoid,
  staleInvoice,
} from './errors.ts';
import { invoiceView, type InvoiceView } from './invoices.ts';
import { takeInvoiceNumber } from './numbering.ts';

export interface InvoiceLifecycleDeps {
  models: BillingModels;
  db: ModuleDatabase;
  outbox: Outbox;
  clock: Clock;
}

export interface TransitionRequest {
  status: 'issued' | 'void';
  reason?: string;
  /** From If-Match: the version the caller last saw. */
  expectedVersion?: number;
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

  async function issue(trx: Knex.Transaction, invoice: Invoice): Promise<Invoice> {
    const now = clock.now();
    const to = await billTo(trx, invoice.publisherId);
    const number = await takeInvoiceNumber(trx, db.dialect, now.getUTCFullYear());
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
    async transition(id: string, request: TransitionRequest): Promise<InvoiceView> {
      if (request.status !== 'void' && request.reason !== undefined) throw reasonOnlyForVoid();
      return writeTransaction(db, async (trx) => {
        const invoice = await Invoice.query(trx).findById(id).modify(lock);
        if (!invoice) throw invoiceNotFound(id);
        if (request.expectedVersion !== undefined && request.expectedVersion !== invoice.version) {
          throw staleInvoice(request.expectedVersion, invoice.version);
        }
        if (!ALLOWED[invoice.status]!.includes(request.status)) throw illegalTransition(invoice.status, request.status);
        // Money already received would be stranded on a void invoice.
        if (request.status === 'void' && invoice.paidMinor > 0) throw invoiceHasPayments();
        const changed = request.status === 'issued' ? await issue(trx, invoice) : await voidInvoice(trx, invoice, request.reason ?? null);
        changed.lines = await changed.$relatedQuery('lines', trx);
        return invoiceView(changed);
      });
    },

    /** Voids a draft a re-run found without share (inside the run's transaction). */
    voidDraft: (trx: Knex.Transaction, invoice: Invoice, reason: string) => voidInvoice(trx, invoice, reason),
  };
}

export type InvoiceLifecycle = ReturnType<typeof makeInvoiceLifecycle>;
