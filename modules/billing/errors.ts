/** Billing's domain errors: stable codes clients may rely on, each with the kind that sets its HTTP status. */
import { DomainError, conflict, invalid, notFound, staleVersion } from '../../src/kernel/index.ts';

export const accountNotFound = (publisherId: string) =>
  notFound('BILLING.ACCOUNT_NOT_FOUND', `No billing account for publisher ${publisherId}`);

export const invoiceNotFound = (id: string) => notFound('BILLING.INVOICE_NOT_FOUND', `No invoice ${id}`);

export const runNotFound = (id: string) => notFound('BILLING.RUN_NOT_FOUND', `No invoice run ${id}`);

export const runInProgress = (period: string, runId: string) =>
  conflict('BILLING.RUN_IN_PROGRESS', `An invoice run for ${period} is already queued or running (${runId})`);

export const periodNotEnded = (period: string) =>
  invalid('BILLING.PERIOD_NOT_ENDED', `${period} has not ended yet (UTC): only ended months are invoiced`, [
    { path: '/period', message: 'must be a month that has ended' },
  ]);

export const illegalTransition = (from: string, to: string) =>
  conflict('BILLING.ILLEGAL_TRANSITION', `An invoice cannot go from ${from} to ${to}`);

export const staleInvoice = (expected: number, actual: number) =>
  staleVersion('BILLING.VERSION_MISMATCH', `If-Match expects version ${expected}, the invoice is at version ${actual}`);

export const staleAccount = (expected: number, actual: number) =>
  staleVersion('BILLING.VERSION_MISMATCH', `If-Match expects version ${expected}, the billing account is at version ${actual}`);

/** Another request changed the row between our read and our write (only possible across processes on SQLite). */
export const changedConcurrently = (what: string) =>
  conflict('BILLING.CONCURRENT_UPDATE', `${what} changed while this request ran; read it again and retry`);

export const invoiceHasPayments = () => conflict('BILLING.INVOICE_HAS_PAYMENTS', 'An invoice with recorded payments cannot be voided');

export const reasonOnlyForVoid = () =>
  invalid('BILLING.REASON_ONLY_FOR_VOID', 'A reason is recorded only when voiding', [
    { path: '/reason', message: 'is allowed only with status void' },
  ]);

export const invoiceNotPayable = (status: string) =>
  conflict('BILLING.INVOICE_NOT_PAYABLE', `Payments are recorded against issued invoices only; this one is ${status}`);

export const overpayment = (outstanding: number) =>
  invalid('BILLING.OVERPAYMENT', `The payment exceeds the outstanding amount of ${outstanding}`, [
    { path: '/amountMinor', message: `must not exceed the outstanding ${outstanding}` },
  ]);

export const paymentReferenceReused = (reference: string) =>
  conflict('BILLING.PAYMENT_REFERENCE_REUSED', `Reference ${reference} already names a different payment on this invoice`);

export const draftHasNoPdf = () => conflict('BILLING.INVOICE_NOT_ISSUED', 'A draft has no document yet: issue it first');

export const publisherUnknown = (publisherId: string) =>
  invalid('BILLING.PUBLISHER_UNKNOWN', `Operations knows no publisher ${publisherId}`, [
    { path: '/event/payload/publisherId', message: 'is not a publisher Operations knows' },
  ]);

export const accountMissing = (publisherId: string) =>
  new DomainError('BILLING.ACCOUNT_MISSING', 'conflict', `Publisher ${publisherId} has no billing account to issue to`);

/** The draft no longer bills the month's delivery: it was brought up to date, for finance to review and issue again. */
export const draftStale = (invoiceId: string, was: number, now: number, version: number, voided: boolean) =>
  conflict(
    'BILLING.INVOICE_DRAFT_STALE',
    `Draft ${invoiceId} billed ${was} cents, but the month's delivery now comes to ${now} cents. ` +
      (voided
        ? 'Nothing is left to bill, so the draft was voided.'
        : `The draft was brought up to date (version ${version}, total ${now}): read it and issue it again.`),
  );

/** Another request began issuing the same invoice after this one; this one stepped back. */
export const issueSuperseded = (invoiceId: string) =>
  conflict('BILLING.ISSUE_SUPERSEDED', `Another request is issuing invoice ${invoiceId}; read the invoice to see how it ended`);

export const operationsUnavailable = (invoiceId: string) =>
  new DomainError(
    'BILLING.OPERATIONS_UNAVAILABLE',
    'unavailable',
    `Operations could not close the month for invoice ${invoiceId}; it is still a draft, issue it again later`,
  );
